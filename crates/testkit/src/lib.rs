//! Test harness: real SIP peers on loopback, started and stopped by the tests themselves.
//!
//! - [`Kamailio`]: a registrar/proxy with digest auth (401 on REGISTER, 407 on INVITE), users
//!   `alice/alicepw`, `bob/bobpw`, `carol/carolpw`, from `peers/kamailio.cfg.in`.
//! - [`Baresip`]: a headless softphone that registers, auto-answers (or rings), plays a WAV,
//!   records what it hears, and takes commands over its ctrl_tcp socket.
//! - [`speech_wav`]: a speech-like 8 kHz test signal written as a WAV file.
//!
//! - [`signalwire::SignalWireEmulator`]: SignalWire's REST API, stateful, with faults on demand.
//! - [`postgres::PgCluster`], [`postgres::PgBouncer`], [`postgres::FaultProxy`]: a throwaway
//!   PostgreSQL cluster, the transaction pooler, and network faults in front of either.
//! - [`supabase::SupabaseFront`]: Supabase's auth and REST RPC framing in front of that database.
//!
//! A missing peer binary is an error that names the package to install, never a skip: the README
//! test command installs them. Test code only; nothing here ships.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod dbus;
pub mod json_lines;
pub mod notifications;
pub mod postgres;
pub mod signalwire;
pub mod signalwire_spec;
pub mod supabase;

/// Finds `binary` on PATH (or in /usr/sbin), or says which Debian package provides it.
pub fn require(binary: &str, package: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(binary))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("{binary} is not installed: install the Debian package {package} (scripts/test.sh does)")
        })
}

/// xorshift64*: a small seeded generator, so a test's random choices (faults, actions) replay
/// from the seed it prints.
#[derive(Debug, Clone)]
pub struct SeededRng(u64);

impl SeededRng {
    /// Any seed (0 too: the state is never 0).
    pub fn new(seed: u64) -> SeededRng {
        SeededRng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// An index below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// An `Etc/GMT±N` zone where it is now `hour`:xx, so a test of calling windows does not depend
/// on when it runs.
pub fn zone_at(hour: u32) -> String {
    use chrono::Timelike;
    let mut offset = (hour as i32 - chrono::Utc::now().hour() as i32).rem_euclid(24);
    if offset > 14 {
        offset -= 24;
    }
    // Etc/GMT-5 is UTC+5 (POSIX signs).
    match offset {
        0 => "Etc/GMT".into(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// A port free for both UDP and TCP on 127.0.0.1 right now.
pub fn free_port() -> Result<u16, String> {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = udp.local_addr().map_err(|e| e.to_string())?.port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free port pair on 127.0.0.1".into())
}

/// The first of `n` consecutive UDP ports free on 127.0.0.1 right now (SIPp binds its media
/// port and the next three: RTCP and video).
pub fn free_port_block(n: u16) -> Result<u16, String> {
    for _ in 0..100 {
        let first = free_port()?;
        if first.checked_add(n).is_none() {
            continue;
        }
        let held: Vec<_> = (0..n).filter_map(|i| UdpSocket::bind(("127.0.0.1", first + i)).ok()).collect();
        if held.len() == usize::from(n) {
            return Ok(first);
        }
    }
    Err(format!("no {n} consecutive free UDP ports on 127.0.0.1"))
}

/// Waits until `ready` is true or `timeout` passes.
pub fn wait_for(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    ready()
}

/// Makes a throwaway CA and a server certificate for 127.0.0.1 signed by it, with openssl:
/// `ca.pem`, `server.pem`, `server.key` in `dir`.
pub(crate) fn make_test_certificates(dir: &Path) -> Result<(), String> {
    let openssl = require("openssl", "openssl")?;
    let ext = dir.join("server.ext");
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        .map_err(|e| e.to_string())?;
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Ringdesk Test CA",
        ],
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    ];
    for args in steps {
        let out = Command::new(&openssl).args(args).current_dir(dir).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("openssl {}: {}", args[0], String::from_utf8_lossy(&out.stderr)));
        }
    }
    Ok(())
}

/// A running Kamailio registrar/proxy.
#[derive(Debug)]
pub struct Kamailio {
    child: Child,
    /// Its SIP port on 127.0.0.1 (UDP and TCP).
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Kamailio {
    /// Starts Kamailio on a free port and waits until it answers.
    pub fn start() -> Result<Self, String> {
        Self::start_on_a_free_port(false)
    }

    /// Starts Kamailio on `port` (to bring a stopped registrar back on the same address).
    pub fn start_on(port: u16) -> Result<Self, String> {
        Self::start_inner(port, false)
    }

    /// Starts Kamailio with a TLS listener on [`Kamailio::tls_port`] too, its certificate for
    /// 127.0.0.1 signed by a throwaway CA ([`Kamailio::tls_ca`]).
    pub fn start_tls() -> Result<Self, String> {
        Self::start_on_a_free_port(true)
    }

    /// A port found free can be taken by another process (an outgoing connection's ephemeral
    /// port, a parallel test) before Kamailio binds it: then it starts again on another one.
    fn start_on_a_free_port(tls: bool) -> Result<Self, String> {
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            if tls && port.checked_add(1).is_none_or(|tls_port| TcpListener::bind(("127.0.0.1", tls_port)).is_err()) {
                continue;
            }
            match Self::start_inner(port, tls) {
                Ok(k) => return Ok(k),
                Err(e) if e.contains("Address already in use") => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(format!("kamailio found no free port in 5 tries; the last: {last}"))
    }

    /// The TLS port (the UDP/TCP port + 1) when started with [`Kamailio::start_tls`].
    pub fn tls_port(&self) -> u16 {
        self.port + 1
    }

    /// The PEM of the CA that signed the TLS certificate.
    pub fn tls_ca(&self) -> Result<Vec<u8>, String> {
        std::fs::read(self.dir.path().join("ca.pem")).map_err(|e| format!("no test CA: {e}"))
    }

    fn start_inner(port: u16, tls: bool) -> Result<Self, String> {
        let bin = require("kamailio", "kamailio")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let tls_block = if tls {
            if !Path::new("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so").exists() {
                return Err("Kamailio's TLS module is missing: apt-get install kamailio-tls-modules".into());
            }
            make_test_certificates(dir.path())?;
            let d = dir.path().display();
            std::fs::write(
                dir.path().join("tls.cfg"),
                format!(
                    "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n\
                     private_key = {d}/server.key\ncertificate = {d}/server.pem\n\n\
                     [client:default]\nverify_certificate = no\nrequire_certificate = no\n"
                ),
            )
            .map_err(|e| e.to_string())?;
            format!(
                "enable_tls=yes\nlisten=tls:127.0.0.1:{}\n\
                 loadmodule \"/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so\"\n\
                 modparam(\"tls\", \"config\", \"{d}/tls.cfg\")\n",
                port + 1
            )
        } else {
            String::new()
        };
        let cfg =
            include_str!("../peers/kamailio.cfg.in").replace("@PORT@", &port.to_string()).replace("@TLS@", &tls_block);
        let cfg_path = dir.path().join("kamailio.cfg");
        std::fs::write(&cfg_path, cfg).map_err(|e| e.to_string())?;
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.path().join("kamailio.log")).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .args(["-f"])
            .arg(&cfg_path)
            .args(["-DD", "-E", "-m", "64", "-M", "8", "-Y"])
            .arg(&run)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start kamailio: {e}"))?;
        let mut k = Self { child, port, dir };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        if !wait_for(Duration::from_secs(10), || options_answered(addr)) {
            let log = k.log();
            let _ = k.child.kill();
            return Err(format!("kamailio did not answer on {addr}:\n{log}"));
        }
        Ok(k)
    }

    /// `host:port` to use as registrar.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kamailio's log so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kamailio.log")).unwrap_or_default()
    }

    /// Stops it (the registrar goes down).
    pub fn stop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = wait_for(Duration::from_secs(5), || matches!(self.child.try_wait(), Ok(Some(_))));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends an OPTIONS and reports whether anything answered.
fn options_answered(addr: SocketAddr) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else { return false };
    let Ok(local) = sock.local_addr() else { return false };
    let msg = format!(
        "OPTIONS sip:{addr} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKprobe{}\r\nMax-Forwards: 70\r\n\
         From: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:{addr}>\r\nCall-ID: probe-{}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        local.port(),
        local.port()
    );
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    if sock.send_to(msg.as_bytes(), addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 2048];
    matches!(sock.recv_from(&mut buf), Ok((n, _)) if buf[..n].starts_with(b"SIP/2.0"))
}

/// A running SIPp with one scenario.
#[derive(Debug)]
pub struct Sipp {
    child: Child,
    dir: tempfile::TempDir,
    /// Its SIP port.
    pub port: u16,
}

impl Sipp {
    /// Runs `scenario` (XML text) as a UAS for one call on a free port. `args` are extra SIPp
    /// options (e.g. `-rtp_echo`).
    pub fn uas(scenario: &str, args: &[&str]) -> Result<Self, String> {
        Self::uas_with_media_port(scenario, args, free_port_block(4)?)
    }

    /// As [`Sipp::uas`], with SIPp's media (and echo) port chosen by the caller.
    pub fn uas_with_media_port(scenario: &str, args: &[&str], media_port: u16) -> Result<Self, String> {
        let bin = require("sipp", "sip-tester")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let file = dir.path().join("scenario.xml");
        std::fs::write(&file, scenario).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.path().join("sipp.log")).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg("-sf")
            .arg(&file)
            .args(["-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", &port.to_string(), "-mp", &media_port.to_string()])
            .args(["-m", "1", "-nostdin", "-trace_err", "-timeout", "60"])
            .args(args)
            .current_dir(dir.path())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start sipp: {e}"))?;
        let sipp = Self { child, dir, port };
        // Listening once its port is taken.
        if !wait_for(Duration::from_secs(5), || UdpSocket::bind(("127.0.0.1", port)).is_err()) {
            return Err(format!("sipp did not start:\n{}", sipp.log()));
        }
        Ok(sipp)
    }

    /// `host:port` of the UAS.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Waits for SIPp to finish; true when every call succeeded (exit status 0).
    pub fn wait_success(&mut self, timeout: Duration) -> bool {
        let mut status = None;
        wait_for(timeout, || {
            status = self.child.try_wait().ok().flatten();
            status.is_some()
        });
        status.is_some_and(|s| s.success())
    }

    /// SIPp's output and error log.
    pub fn log(&self) -> String {
        let mut out = std::fs::read_to_string(self.dir.path().join("sipp.log")).unwrap_or_default();
        if let Ok(rd) = std::fs::read_dir(self.dir.path()) {
            for e in rd.flatten() {
                if e.path().to_string_lossy().ends_with("_errors.log")
                    || e.path().to_string_lossy().ends_with("_messages.log")
                {
                    out.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SIPp's 180 Ringing to the INVITE last received, To tagged as SIPp's answers are.
pub const SIPP_180_RINGING: &str = r#"  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
"#;

/// SIPp's 200 OK without a body to the request last received (a BYE, an in-dialog request).
pub const SIPP_200_EMPTY: &str = r#"  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
"#;

/// The To tag SIPp's answers use unless a scenario needs others (forks).
pub const SIPP_TAG: &str = "[pid]SIPpTag01[call_number]";

/// SIPp's reply with an audio SDP to the INVITE last received: `status` (`200 OK`,
/// `183 Session Progress`), the To tagged `to_tag` (empty keeps the To as received, as in an
/// answer to a re-INVITE), media on `port` with `payloads` (`0 101`) and `attributes`. A 200 is
/// retransmitted until ACKed.
pub fn sipp_reply_with_sdp(status: &str, to_tag: &str, port: &str, payloads: &str, attributes: &[&str]) -> String {
    let retrans = if status.starts_with("200") { r#" retrans="500""# } else { "" };
    let tag = if to_tag.is_empty() { String::new() } else { format!(";tag={to_tag}") };
    let attrs: String = attributes.iter().map(|a| format!("      {a}\n")).collect();
    format!(
        r#"  <send{retrans}>
    <![CDATA[
      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      [last_To:]{tag}
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio {port} RTP/AVP {payloads}
{attrs}    ]]>
  </send>
"#
    )
}

/// A SIPp UAS scenario: answers with PCMU/PCMA and telephone-event, runs `after_ack` (SIPp XML
/// actions, e.g. `<nop><action><exec play_pcap_audio="..."/></action></nop>`), then waits for BYE.
pub fn sipp_uas_scenario(codec_pt: u8, after_ack: &str) -> String {
    sipp_uas_scenario_at(codec_pt, after_ack, "[media_port]")
}

/// The same scenario, advertising `media_port` (e.g. a [`UdpRelay`]'s port) in its SDP instead
/// of SIPp's own.
pub fn sipp_uas_scenario_at(codec_pt: u8, after_ack: &str, media_port: &str) -> String {
    let codec = if codec_pt == 8 { "PCMA" } else { "PCMU" };
    let rtpmap = format!("a=rtpmap:{codec_pt} {codec}/8000");
    let answer = sipp_reply_with_sdp(
        "200 OK",
        SIPP_TAG,
        media_port,
        &format!("{codec_pt} 101"),
        &[&rtpmap, "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=ptime:20"],
    );
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="ringdesk uas">
  <recv request="INVITE" crlf="true"/>
{SIPP_180_RINGING}{answer}  <recv request="ACK" crlf="true"/>
{after_ack}
  <recv request="BYE"/>
{SIPP_200_EMPTY}  <timewait milliseconds="500"/>
</scenario>
"#
    )
}

/// How a baresip peer answers calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerMode {
    /// Answers at once.
    Auto,
    /// Rings until told (or cancelled).
    Manual,
}

/// A running headless baresip.
#[derive(Debug)]
pub struct Baresip {
    child: Child,
    dir: tempfile::TempDir,
    /// Its SIP port.
    pub sip_port: u16,
    ctrl: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Baresip {
    /// Starts `user` (password `<user>pw`) registered at `registrar`, playing `wav` (8 kHz mono).
    /// `srtp_mandatory` adds `mediaenc=srtp-mand`.
    pub fn start(
        user: &str,
        registrar: &str,
        wav: &Path,
        mode: AnswerMode,
        srtp_mandatory: bool,
    ) -> Result<Self, String> {
        Self::start_with(user, registrar, wav, mode, srtp_mandatory, None)
    }

    /// As [`Baresip::start`]; with `pulse` (a `PULSE_SERVER` value) its speaker is that server's
    /// null sink through ALSA's pulse plugin, a clocked device, instead of ALSA's clockless null.
    pub fn start_with(
        user: &str,
        registrar: &str,
        wav: &Path,
        mode: AnswerMode,
        srtp_mandatory: bool,
        pulse: Option<&str>,
    ) -> Result<Self, String> {
        Self::start_full(user, registrar, wav, mode, srtp_mandatory, pulse, "PCMU")
    }

    /// As [`Baresip::start_with`], offering and accepting only `codecs` (baresip's
    /// `audio_codecs` syntax: `PCMU`, `G722/16000`, and `opus/48000/1` since Opus is set up mono).
    /// A port taken between choosing it and baresip binding it (tests run in parallel) is retried
    /// with new ports, up to three times.
    pub fn start_full(
        user: &str,
        registrar: &str,
        wav: &Path,
        mode: AnswerMode,
        srtp_mandatory: bool,
        pulse: Option<&str>,
        codecs: &str,
    ) -> Result<Self, String> {
        let mut last = String::new();
        for _ in 0..3 {
            match Self::start_once(user, registrar, wav, mode, srtp_mandatory, pulse, codecs) {
                Err(e) if e.contains("Address already in use") => last = e,
                other => return other,
            }
        }
        Err(last)
    }

    #[allow(clippy::too_many_arguments)]
    fn start_once(
        user: &str,
        registrar: &str,
        wav: &Path,
        mode: AnswerMode,
        srtp_mandatory: bool,
        pulse: Option<&str>,
        codecs: &str,
    ) -> Result<Self, String> {
        let bin = require("baresip", "baresip-core")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let sip_port = free_port()?;
        let ctrl_port = free_port()?;
        // Below the kernel's ephemeral range (32768+), where the other peers' ports come from.
        let rtp_base = 21_000 + (sip_port % 100) * 100;
        let rec = dir.path().join("rec");
        std::fs::create_dir_all(&rec).map_err(|e| e.to_string())?;
        let answer = if mode == AnswerMode::Auto { "auto" } else { "manual" };
        let enc = if srtp_mandatory { ";mediaenc=srtp-mand" } else { "" };
        let account = format!(
            "<sip:{user}@127.0.0.1>;auth_pass={user}pw;outbound=\"sip:{registrar}\";regint=60;answermode={answer};audio_codecs={codecs}{enc}\n"
        );
        std::fs::write(dir.path().join("accounts"), account).map_err(|e| e.to_string())?;
        std::fs::write(dir.path().join("contacts"), "").map_err(|e| e.to_string())?;
        let srtp_module = if srtp_mandatory { "module\t\t\tsrtp.so\n" } else { "" };
        let config = format!(
            "poll_method\t\tepoll\nsip_listen\t\t127.0.0.1:{sip_port}\ncall_local_timeout\t120\n\
             audio_player\t\talsa,{player}\naudio_source\t\taufile,{wav}\naudio_alert\t\talsa,{player}\n\
             audio_buffer\t\t20-160\njitter_buffer_delay\t5-10\nrtp_ports\t\t{rtp_base}-{rtp_end}\n\
             module_path\t\t/usr/lib/baresip/modules\nmodule\t\t\tg711.so\nmodule\t\t\tg722.so\nmodule\t\t\topus.so\n\
             opus_bitrate\t\t24000\nopus_stereo\t\tno\nopus_sprop_stereo\tno\nopus_inbandfec\t\tyes\nmodule\t\t\taufile.so\n\
             module\t\t\talsa.so\nmodule\t\t\tsndfile.so\n{srtp_module}module_tmp\t\tuuid.so\nmodule_tmp\t\taccount.so\n\
             module_app\t\tmenu.so\nmodule_app\t\tctrl_tcp.so\nctrl_tcp_listen\t\t127.0.0.1:{ctrl_port}\n\
             snd_path\t\t{rec}\nnet_interface\t\t127.0.0.1\n",
            wav = wav.display(),
            player = if pulse.is_some() { "pulse" } else { "null" },
            rtp_end = rtp_base + 99,
            rec = rec.display(),
        );
        std::fs::write(dir.path().join("config"), config).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.path().join("baresip.log")).map_err(|e| e.to_string())?;
        let mut command = Command::new(bin);
        if let Some(server) = pulse {
            command.env("PULSE_SERVER", server);
        }
        let child = command
            .arg("-f")
            .arg(dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start baresip: {e}"))?;
        let ctrl_addr: SocketAddr = ([127, 0, 0, 1], ctrl_port).into();
        let mut ctrl = None;
        wait_for(Duration::from_secs(10), || {
            ctrl = TcpStream::connect(ctrl_addr).ok();
            ctrl.is_some()
        });
        let Some(ctrl) = ctrl else {
            let log = std::fs::read_to_string(dir.path().join("baresip.log")).unwrap_or_default();
            return Err(format!("baresip's control socket never opened:\n{log}"));
        };
        let reader = BufReader::new(ctrl.try_clone().map_err(|e| e.to_string())?);
        Ok(Self { child, dir, sip_port, ctrl, reader })
    }

    /// Sends a ctrl_tcp command (netstring JSON), e.g. `("dial", "sip:alice@...")`.
    pub fn command(&mut self, command: &str, params: &str) -> Result<(), String> {
        let json = format!(
            "{{\"command\":\"{command}\",\"params\":\"{}\",\"token\":\"t\"}}",
            params.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let frame = format!("{}:{json},", json.len());
        self.ctrl.write_all(frame.as_bytes()).map_err(|e| e.to_string())
    }

    /// Waits for an event or response whose JSON contains `needle`; returns it.
    pub fn wait_event(&mut self, needle: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            let Some(text) = self.next_event(Duration::from_millis(200))? else { continue };
            if text.contains(needle) {
                return Ok(text);
            }
            seen.push(text);
        }
        Err(format!("no baresip event with {needle:?} within {timeout:?}; saw: {seen:?}"))
    }

    /// The next event or response from the control socket (its JSON), or `None` when none came
    /// within about `wait`.
    pub fn next_event(&mut self, wait: Duration) -> Result<Option<String>, String> {
        let _ = self.reader.get_ref().set_read_timeout(Some(wait.max(Duration::from_millis(1))));
        let mut len = Vec::new();
        match self.reader.read_until(b':', &mut len) {
            Ok(0) => return Err("baresip closed its control socket".into()),
            Ok(_) => {}
            Err(_) => return Ok(None),
        }
        let Ok(n) = String::from_utf8_lossy(&len[..len.len().saturating_sub(1)]).trim().parse::<usize>() else {
            return Ok(None);
        };
        let mut body = vec![0u8; n + 1];
        let _ = self.reader.get_ref().set_read_timeout(Some(Duration::from_secs(2)));
        if self.reader.read_exact(&mut body).is_err() {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&body[..n]).into_owned()))
    }

    /// The WAVs baresip recorded of what it received (`*-dec.wav`), longest first.
    pub fn received_recordings(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("rec"))
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.to_string_lossy().ends_with("-dec.wav"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
        files
    }

    /// Waits until baresip's own account has registered (its log shows the 200 OK), since the
    /// REGISTER_OK event can fire before the control socket is connected.
    pub fn wait_registered(&self, timeout: Duration) -> Result<(), String> {
        if wait_for(timeout, || self.log().contains("200 OK")) {
            Ok(())
        } else {
            Err(format!("baresip did not register within {timeout:?}:\n{}", self.log()))
        }
    }

    /// The process id (for CPU and memory readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Quits as a user would (its registration removed at the registrar), killed if it has not
    /// ended within `timeout`.
    pub fn quit(mut self, timeout: Duration) {
        let _ = self.command("quit", "");
        let child = &mut self.child;
        wait_for(timeout, || matches!(child.try_wait(), Ok(Some(_))));
    }

    /// baresip's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("baresip.log")).unwrap_or_default()
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub use ringdesk_media::wav::speechlike;

/// Writes `seconds` of [`speechlike`] as an 8 kHz mono 16-bit WAV.
pub fn speech_wav(path: &Path, seconds: u32) -> Result<(), String> {
    let samples: Vec<i16> = (0..(seconds * 8000) as usize).map(speechlike).collect();
    write_wav(path, 8000, &samples)
}

/// Writes mono 16-bit PCM as a WAV file.
pub fn write_wav(path: &Path, rate: u32, samples: &[i16]) -> Result<(), String> {
    std::fs::write(path, ringdesk_media::wav::encode(rate, samples)).map_err(|e| e.to_string())
}

/// Reads the samples of a 16-bit PCM WAV (first channel) at 8 kHz, converting a recording made
/// at another rate (a wideband call's) so it compares with the 8 kHz references.
pub fn read_wav(path: &Path) -> Result<Vec<i16>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (rate, samples) =
        ringdesk_media::wav::parse_with_rate(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    ringdesk_media::resample::convert(&samples, rate, 8000).map_err(|e| format!("{}: {e}", path.display()))
}

/// The sample rate a WAV file was written at.
pub fn wav_rate(path: &Path) -> Result<u32, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ringdesk_media::wav::parse_with_rate(&bytes).map(|(rate, _)| rate).map_err(|e| format!("{}: {e}", path.display()))
}

/// Best normalized cross-correlation (0..1) of half a second of `reference` (from sample 4000, a
/// voiced stretch of [`speechlike`]) anywhere in `heard`, and the lag where it was found.
pub fn similarity(reference: &[i16], heard: &[i16]) -> (f64, usize) {
    let r: Vec<f64> = reference.iter().skip(4000).take(4000).map(|&v| f64::from(v)).collect();
    let h: Vec<f64> = heard.iter().map(|&v| f64::from(v)).collect();
    let er: f64 = r.iter().map(|v| v * v).sum();
    if r.is_empty() || er <= 0.0 || h.len() < r.len() {
        return (0.0, 0);
    }
    // Running window energy.
    let mut eh: f64 = h[..r.len()].iter().map(|v| v * v).sum();
    let mut best = (0.0, 0);
    for lag in 0..=h.len() - r.len() {
        if lag > 0 {
            eh += h[lag + r.len() - 1].powi(2) - h[lag - 1].powi(2);
        }
        if eh <= 1.0 {
            continue;
        }
        let dot: f64 = r.iter().zip(&h[lag..lag + r.len()]).map(|(a, b)| a * b).sum();
        let c = dot / (er * eh).sqrt();
        if c > best.0 {
            best = (c, lag);
        }
    }
    best
}

/// A user-mode PulseAudio server with a null sink (a clocked device without a sound card), on a
/// private socket. Clients reach it with `PULSE_SERVER` (see [`PulseAudio::server`]).
#[derive(Debug)]
pub struct PulseAudio {
    child: Child,
    dir: tempfile::TempDir,
}

impl PulseAudio {
    /// Starts it and waits for its socket.
    pub fn start() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let child = Self::spawn(dir.path())?;
        Ok(Self { child, dir })
    }

    /// Kills the server (every client's stream fails, as when a sound server crashes or a USB
    /// headset is pulled) and, after `down`, starts it again on the same socket.
    pub fn restart_after(&mut self, down: Duration) -> Result<(), String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(self.dir.path().join("native"));
        std::thread::sleep(down);
        self.child = Self::spawn(self.dir.path())?;
        Ok(())
    }

    fn spawn(dir: &Path) -> Result<Child, String> {
        let bin = require("pulseaudio", "pulseaudio")?;
        let socket = dir.join("native");
        let script = format!(
            "load-module module-native-protocol-unix socket={} auth-anonymous=1\n\
             load-module module-null-sink sink_name=ringdesk_null rate=48000\n\
             set-default-sink ringdesk_null\n\
             set-default-source ringdesk_null.monitor\n",
            socket.display()
        );
        std::fs::write(dir.join("test.pa"), script).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("pulse.log")).map_err(|e| e.to_string())?;
        let mut child = Command::new(bin)
            .args(["-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes", "--system=false", "-F"])
            .arg(dir.join("test.pa"))
            .env("HOME", dir)
            .env("XDG_RUNTIME_DIR", dir)
            .env("XDG_CONFIG_HOME", dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start pulseaudio: {e}"))?;
        if !wait_for(Duration::from_secs(10), || socket.exists()) {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.join("pulse.log")).unwrap_or_default();
            return Err(format!("pulseaudio did not start:\n{log}"));
        }
        Ok(child)
    }

    /// The `PULSE_SERVER` value for clients.
    pub fn server(&self) -> String {
        format!("unix:{}", self.dir.path().join("native").display())
    }
}

impl Drop for PulseAudio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU seconds (user + system) a process has used, from /proc.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Resident set size of a process in bytes, from /proc.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// What a [`UdpRelay`] does to each datagram, each way.
#[derive(Debug, Clone, Copy, Default)]
pub struct Impairment {
    /// Probability a datagram is dropped.
    pub loss: f64,
    /// Extra delay, uniform in 0..=jitter_ms (reorders when larger than the packet interval).
    pub jitter_ms: f64,
}

/// An in-process UDP relay between a phone and a peer, adding loss and jitter (the kernel here
/// has no netem). The peer's SDP advertises the relay's port; datagrams from the peer's side go
/// to the last address seen on the other side, and the other way round. Arrival times of what
/// the phone sent are recorded for pacing measurements.
#[derive(Debug)]
pub struct UdpRelay {
    /// The relay's port on 127.0.0.1.
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    arrivals: std::sync::Arc<std::sync::Mutex<Vec<Instant>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl UdpRelay {
    /// Relays between whoever sends to it first (the phone) and `peer`, impairing both ways.
    pub fn start(peer: SocketAddr, impairment: Impairment, seed: u64) -> Result<Self, String> {
        Self::start_asymmetric(peer, impairment, impairment, seed)
    }

    /// As [`UdpRelay::start`], with one impairment toward the peer and another toward the phone.
    pub fn start_asymmetric(
        peer: SocketAddr,
        to_peer: Impairment,
        to_phone: Impairment,
        seed: u64,
    ) -> Result<Self, String> {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = socket.local_addr().map_err(|e| e.to_string())?.port();
        socket.set_read_timeout(Some(Duration::from_millis(2))).map_err(|e| e.to_string())?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let arrivals = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (stop2, arrivals2) = (stop.clone(), arrivals.clone());
        let thread = std::thread::spawn(move || {
            let mut rng = seed | 1;
            let mut next = || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng >> 11) as f64 / (1u64 << 53) as f64
            };
            let mut phone: Option<SocketAddr> = None;
            let mut queue: Vec<(Instant, SocketAddr, Vec<u8>)> = Vec::new();
            let mut buf = [0u8; 4096];
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    let to = if from == peer {
                        phone
                    } else {
                        phone = Some(from);
                        if let Ok(mut a) = arrivals2.lock() {
                            a.push(Instant::now());
                        }
                        Some(peer)
                    };
                    let impairment = if from == peer { to_phone } else { to_peer };
                    if let Some(to) = to
                        && next() >= impairment.loss
                    {
                        let delay = Duration::from_secs_f64(next() * impairment.jitter_ms / 1000.0);
                        queue.push((Instant::now() + delay, to, buf[..n].to_vec()));
                    }
                }
                let now = Instant::now();
                let mut i = 0;
                while i < queue.len() {
                    if queue[i].0 <= now {
                        let (_, to, data) = queue.swap_remove(i);
                        let _ = socket.send_to(&data, to);
                    } else {
                        i += 1;
                    }
                }
            }
        });
        Ok(Self { port, stop, arrivals, thread: Some(thread) })
    }

    /// Arrival times of the datagrams the phone sent.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
