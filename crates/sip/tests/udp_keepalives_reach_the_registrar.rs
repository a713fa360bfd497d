//! Over UDP, a registered line sends CRLF keep-alives to its registrar between refreshes, from
//! its signalling socket, so a NAT keeps the mapping incoming calls need. The registrar here is
//! a minimal UDP responder that accepts REGISTER and counts keep-alives (Kamailio drops them
//! silently, so it cannot show they arrived).

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ringdesk_sip::{Account, AgentConfig, RegistrationState, SipAgent, SipEvent, Transport};

/// Answers every REGISTER with 200 OK (echoing the headers a response needs) and counts
/// CRLF keep-alives and REGISTERs.
fn fake_registrar() -> (u16, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = socket.local_addr().expect("addr").port();
    let (crlfs, registers) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (c, r) = (crlfs.clone(), registers.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if text.trim().is_empty() {
                c.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if !text.starts_with("REGISTER") {
                continue;
            }
            r.fetch_add(1, Ordering::Relaxed);
            let header = |name: &str| {
                text.lines()
                    .filter(|l| l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
                    .collect::<Vec<_>>()
                    .join("\r\n")
            };
            let contact = header("Contact");
            let reply = format!(
                "SIP/2.0 200 OK\r\n{}\r\n{}\r\n{};tag=fake\r\n{}\r\n{}\r\n{};expires=60\r\nContent-Length: 0\r\n\r\n",
                header("Via"),
                header("From"),
                header("To"),
                header("Call-ID"),
                header("CSeq"),
                contact
            );
            let _ = socket.send_to(reply.as_bytes(), from);
        }
    });
    (port, crlfs, registers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_udp_line_sends_crlf_keepalives_between_refreshes() {
    let (port, crlfs, registers) = fake_registrar();
    let (agent, mut events) = SipAgent::start(AgentConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        tcp: false,
        user_agent: "Ringdesk-test".into(),
        keepalive: Duration::from_millis(300),
        extra_tls_roots: None,
    })
    .await
    .expect("agent");
    let account = Account {
        registrar: format!("127.0.0.1:{port}"),
        domain: "127.0.0.1".into(),
        username: "alice".into(),
        password: "alicepw".into(),
        expires: 60,
        transport: Transport::Udp,
    };
    agent.keep_registered(account).expect("registration starts");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), events.recv()).await {
            Ok(Some(SipEvent::Registration { state: RegistrationState::Registered { .. }, .. })) => break,
            Ok(Some(SipEvent::Registration { state, .. })) => panic!("registration failed: {state:?}"),
            Ok(Some(_)) => {}
            _ => panic!("not registered within 5 s"),
        }
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let sent = crlfs.load(Ordering::Relaxed);
    assert!((3..=8).contains(&sent), "about one keep-alive per 300 ms over 1.6 s, got {sent}");
    assert_eq!(registers.load(Ordering::Relaxed), 1, "keep-alives do not re-register (refresh is due at 45 s)");
}
