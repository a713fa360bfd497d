//! RFC 4733 telephone events (DTMF) in RTP: the 4-byte event payload, a sender that turns one
//! key press into the packet train the RFC asks for, and a receiver that reports each key once
//! however many packets (and retransmitted end packets) carry it.
//!
//! Written by hand: the payload is four bytes and the state is a few fields; the webrtc-rs crates
//! have no RFC 4733 support.

use crate::MediaError;

/// A DTMF key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DtmfDigit(u8);

impl DtmfDigit {
    /// The key for a character `0-9`, `*`, `#`, `A-D` (case-insensitive).
    pub fn from_char(c: char) -> Option<Self> {
        let code = match c {
            '0'..='9' => c as u8 - b'0',
            '*' => 10,
            '#' => 11,
            'A'..='D' => c as u8 - b'A' + 12,
            'a'..='d' => c as u8 - b'a' + 12,
            _ => return None,
        };
        Some(Self(code))
    }

    /// The key for an RFC 4733 event code 0–15.
    pub fn from_event(code: u8) -> Option<Self> {
        (code <= 15).then_some(Self(code))
    }

    /// The RFC 4733 event code.
    pub fn event_code(self) -> u8 {
        self.0
    }

    /// The key's character.
    pub fn as_char(self) -> char {
        match self.0 {
            0..=9 => (b'0' + self.0) as char,
            10 => '*',
            11 => '#',
            _ => (b'A' + self.0 - 12) as char,
        }
    }
}

/// One decoded telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPayload {
    /// Event code (0–15 are DTMF keys).
    pub event: u8,
    /// The end bit.
    pub end: bool,
    /// Volume in -dBm0 (0–63).
    pub volume: u8,
    /// Duration so far, in RTP clock units.
    pub duration: u16,
}

impl EventPayload {
    /// Parses the 4-byte payload (extra bytes, as from redundancy, are ignored).
    pub fn parse(data: &[u8]) -> Result<Self, MediaError> {
        if data.len() < 4 {
            return Err(MediaError::Dtmf(format!("telephone-event payload of {} bytes, need 4", data.len())));
        }
        Ok(Self {
            event: data[0],
            end: data[1] & 0x80 != 0,
            volume: data[1] & 0x3F,
            duration: u16::from_be_bytes([data[2], data[3]]),
        })
    }

    /// The 4 payload bytes.
    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [self.event, (u8::from(self.end) << 7) | (self.volume & 0x3F), d[0], d[1]]
    }
}

/// One packet the sender wants on the wire in place of an audio packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPacket {
    /// The event payload.
    pub payload: EventPayload,
    /// The RTP timestamp: the event's start, the same for all its packets.
    pub timestamp: u32,
    /// Marker bit: set on the first packet of an event.
    pub marker: bool,
}

/// Sends one key at a time as RFC 4733 packets, one per packet interval, then three end packets.
#[derive(Debug, Clone)]
pub struct DtmfSender {
    current: Option<Sending>,
}

#[derive(Debug, Clone)]
struct Sending {
    digit: DtmfDigit,
    timestamp: u32,
    elapsed: u32,
    total: u32,
    step: u32,
    first: bool,
    ends_left: u8,
}

impl Default for DtmfSender {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfSender {
    /// An idle sender.
    pub fn new() -> Self {
        Self { current: None }
    }

    /// Whether a key is being sent (audio packets must pause).
    pub fn is_busy(&self) -> bool {
        self.current.is_some()
    }

    /// Starts a key at RTP timestamp `timestamp`, lasting `duration` clock units, with one packet
    /// every `step` units. Refused while another key is still being sent.
    pub fn start(&mut self, digit: DtmfDigit, timestamp: u32, duration: u32, step: u32) -> Result<(), MediaError> {
        if self.current.is_some() {
            return Err(MediaError::Dtmf("a key is still being sent".into()));
        }
        let step = step.max(1);
        self.current = Some(Sending {
            digit,
            timestamp,
            elapsed: 0,
            total: duration.clamp(step, u32::from(u16::MAX)),
            step,
            first: true,
            ends_left: 3,
        });
        Ok(())
    }

    /// The packet for the next interval, or `None` when idle.
    pub fn next_packet(&mut self) -> Option<EventPacket> {
        let s = self.current.as_mut()?;
        let packet = if s.elapsed < s.total {
            s.elapsed = (s.elapsed + s.step).min(s.total);
            let end = s.elapsed >= s.total;
            let p = EventPacket {
                payload: EventPayload { event: s.digit.event_code(), end, volume: 10, duration: s.elapsed as u16 },
                timestamp: s.timestamp,
                marker: s.first,
            };
            s.first = false;
            if end {
                s.ends_left -= 1;
            }
            p
        } else {
            s.ends_left = s.ends_left.saturating_sub(1);
            EventPacket {
                payload: EventPayload { event: s.digit.event_code(), end: true, volume: 10, duration: s.total as u16 },
                timestamp: s.timestamp,
                marker: false,
            }
        };
        if s.ends_left == 0 {
            self.current = None;
        }
        Some(packet)
    }
}

/// Reports each received key once, keyed by the event's RTP timestamp.
#[derive(Debug, Clone, Default)]
pub struct DtmfReceiver {
    last_event_ts: Option<u32>,
}

impl DtmfReceiver {
    /// A receiver that has seen no event yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one telephone-event packet; returns the key when it is a new event.
    pub fn receive(&mut self, timestamp: u32, payload: &[u8]) -> Result<Option<DtmfDigit>, MediaError> {
        let event = EventPayload::parse(payload)?;
        if self.last_event_ts == Some(timestamp) {
            return Ok(None);
        }
        self.last_event_ts = Some(timestamp);
        Ok(DtmfDigit::from_event(event.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_maps_to_its_event_code_and_back() {
        for (i, c) in "0123456789*#ABCD".chars().enumerate() {
            let d = DtmfDigit::from_char(c).expect("a key");
            assert_eq!(usize::from(d.event_code()), i, "{c} has event code {i}");
            assert_eq!(d.as_char(), c, "event {i} prints as {c}");
        }
        assert!(DtmfDigit::from_char('x').is_none(), "x is not a key");
    }

    #[test]
    fn a_key_press_is_a_marked_start_growing_durations_and_three_ends() {
        let mut tx = DtmfSender::new();
        tx.start(DtmfDigit(5), 1000, 800, 160).expect("idle sender starts");
        let packets: Vec<_> = std::iter::from_fn(|| tx.next_packet()).collect();
        assert_eq!(packets.len(), 7, "5 packets of 20 ms for 100 ms, the last ending, plus 2 more ends");
        assert!(packets[0].marker, "the first packet carries the marker");
        assert!(packets[1..].iter().all(|p| !p.marker), "no other packet does");
        assert!(packets.iter().all(|p| p.timestamp == 1000), "all share the event's timestamp");
        let durations: Vec<u16> = packets.iter().map(|p| p.payload.duration).collect();
        assert_eq!(durations, vec![160, 320, 480, 640, 800, 800, 800], "durations grow then hold");
        assert_eq!(packets.iter().filter(|p| p.payload.end).count(), 3, "three end packets");
        assert!(!tx.is_busy(), "idle afterwards");
    }

    #[test]
    fn the_receiver_reports_each_key_once() {
        let mut tx = DtmfSender::new();
        let mut rx = DtmfReceiver::new();
        let mut keys = Vec::new();
        for (n, c) in "159#".chars().enumerate() {
            let digit = DtmfDigit::from_char(c).expect("a key");
            tx.start(digit, 8000 * n as u32, 800, 160).expect("previous key finished");
            while let Some(p) = tx.next_packet() {
                if let Ok(Some(k)) = rx.receive(p.timestamp, &p.payload.to_bytes()) {
                    keys.push(k.as_char());
                }
            }
        }
        assert_eq!(keys.iter().collect::<String>(), "159#", "each key exactly once, in order");
    }

    #[test]
    fn a_short_payload_is_an_error() {
        let mut rx = DtmfReceiver::new();
        assert!(rx.receive(0, &[1, 2]).is_err(), "two bytes is not an event");
    }

    #[test]
    fn a_second_key_waits_for_the_first() {
        let mut tx = DtmfSender::new();
        assert!(tx.start(DtmfDigit(1), 0, 800, 160).is_ok(), "first key starts");
        assert!(tx.start(DtmfDigit(2), 0, 800, 160).is_err(), "second is refused while busy");
    }
}
