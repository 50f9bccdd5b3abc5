//! The core network's connection table (MME and AMF alike): which subscriber each RAN
//! signalling connection carries and which connection each subscriber is reachable on, kept
//! consistent both ways.

use crate::eps::mme::UeId;
use std::collections::BTreeMap;

/// Connections ↔ subscribers (IMSI or SUPI).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Connections {
    subscriber: BTreeMap<UeId, String>,
    connection: BTreeMap<String, UeId>,
}

impl Connections {
    /// The message on `conn` identified `sub`: `conn` now carries `sub`, and `sub` is reachable
    /// on `conn` only (a connection it had before, and a subscriber `conn` carried before, are
    /// forgotten).
    pub(crate) fn bind(&mut self, conn: UeId, sub: &str) {
        if let Some(old) = self.connection.insert(sub.to_string(), conn)
            && old != conn
        {
            self.subscriber.remove(&old);
        }
        if let Some(prev) = self.subscriber.insert(conn, sub.to_string())
            && prev != sub
        {
            self.connection.remove(&prev);
        }
    }

    /// The RAN released `conn`: the subscriber it carried, now without a connection.
    pub(crate) fn release(&mut self, conn: UeId) -> Option<String> {
        let sub = self.subscriber.remove(&conn)?;
        self.connection.remove(&sub);
        Some(sub)
    }

    /// The subscriber `conn` carries.
    pub(crate) fn subscriber(&self, conn: UeId) -> Option<&str> {
        self.subscriber.get(&conn).map(String::as_str)
    }

    /// The connection `sub` is reachable on.
    pub(crate) fn connection(&self, sub: &str) -> Option<UeId> {
        self.connection.get(sub).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways_stay_consistent() {
        let mut c = Connections::default();
        c.bind(1, "001010000000001");
        assert_eq!(c.subscriber(1), Some("001010000000001"));
        assert_eq!(c.connection("001010000000001"), Some(1));
        // The subscriber comes back on a new connection: the old one is forgotten.
        c.bind(2, "001010000000001");
        assert_eq!(c.subscriber(1), None);
        assert_eq!(c.connection("001010000000001"), Some(2));
        // Connection 2 turns out to carry another subscriber.
        c.bind(2, "001010000000002");
        assert_eq!(c.connection("001010000000001"), None);
        assert_eq!(c.subscriber(2), Some("001010000000002"));
        // Releasing an unknown connection changes nothing; a known one frees its subscriber.
        assert_eq!(c.release(9), None);
        assert_eq!(c.release(2).as_deref(), Some("001010000000002"));
        assert_eq!(c.connection("001010000000002"), None);
        assert_eq!(c, Connections::default());
    }
}
