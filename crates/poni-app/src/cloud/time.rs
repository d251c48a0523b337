//! Time stamps for timelines and error lists: RFC 3339 in UTC, whole seconds, the same form
//! the engine's `stateChanged` events carry, so they sort and compare as text.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, e.g. `2024-05-01T10:02:11Z`.
pub fn now() -> String {
    rfc3339(SystemTime::now())
}

pub fn rfc3339(at: SystemTime) -> String {
    poni_repo::time::rfc3339(at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(1_714_557_731)), "2024-05-01T10:02:11Z");
    }
}
