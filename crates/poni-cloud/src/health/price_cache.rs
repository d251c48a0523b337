//! On-demand prices kept on disk (a JSON file in the app's cache folder) with the day each
//! was fetched, so the Price List is asked once per instance type and region a week, and
//! "prices as of" can say which day. A type the Price List has no price for is kept too (as
//! no price), so it is not asked again on every refresh.
//!
//! The file is read as hostile input (another program, or a person, may have put anything
//! there): it is opened without following a link or blocking, at most [`MAX_CACHE_BYTES`] are
//! read, and anything wrong with it (not JSON, another format, a bad date, a date in the
//! future) counts as no cache: the prices are asked again and the file is replaced. It is
//! written to a temporary file in the same folder and renamed over the old one, so a reader
//! never sees half of it and a link planted at its name is replaced, not followed.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use poni_repo::store::{self, Limited};
use serde::{Deserialize, Serialize};

use super::Money;

/// Prices older than this many days are asked again.
pub const MAX_AGE_DAYS: i64 = 7;
/// A cache file larger than this is not ours (thousands of prices take a few hundred KiB).
pub const MAX_CACHE_BYTES: u64 = 4 * 1024 * 1024;
const FORMAT: u32 = 1;

/// One type's price in one region, as fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedPrice {
    /// `None`: the Price List had no price for it.
    pub hourly: Option<Money>,
    /// `YYYY-MM-DD` (UTC), the day it was fetched.
    pub fetched: String,
}

/// Every cached price, by `region|type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceCache {
    format: u32,
    prices: BTreeMap<String, CachedPrice>,
}

impl Default for PriceCache {
    fn default() -> Self {
        PriceCache { format: FORMAT, prices: BTreeMap::new() }
    }
}

fn key(region: &str, instance_type: &str) -> String {
    format!("{region}|{instance_type}")
}

impl PriceCache {
    /// The cache at `path`; an empty one when there is none or it cannot be trusted.
    pub fn load(path: &Path) -> PriceCache {
        let text = match store::read_limited(path, MAX_CACHE_BYTES) {
            Ok(Limited::Text(text)) => text,
            Ok(Limited::Missing) => return PriceCache::default(),
            Ok(other) => {
                tracing::warn!(path = %path.display(), found = ?other, "ignoring the price cache");
                return PriceCache::default();
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read the price cache");
                return PriceCache::default();
            }
        };
        match serde_json::from_str::<PriceCache>(&text) {
            Ok(cache) if cache.format == FORMAT => cache,
            _ => {
                tracing::warn!(path = %path.display(), "the price cache is not one this version wrote; asking again");
                PriceCache::default()
            }
        }
    }

    /// Writes the cache to `path` (a temporary file renamed into place), making its folder.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        use std::io::Write;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let text = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        let mut tmp = tempfile::Builder::new().prefix(".prices-").suffix(".tmp").tempfile_in(dir)?;
        tmp.write_all(&text)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The price fetched fewer than [`MAX_AGE_DAYS`] before `today` (`YYYY-MM-DD`); `None`
    /// when there is none, it is older, or its date cannot be read.
    pub fn fresh(&self, region: &str, instance_type: &str, today: &str) -> Option<&CachedPrice> {
        let cached = self.prices.get(&key(region, instance_type))?;
        let age = day_number(today)? - day_number(&cached.fetched)?;
        (0..MAX_AGE_DAYS).contains(&age).then_some(cached)
    }

    /// Keeps a price fetched `today` (`None`: the Price List has none).
    pub fn put(&mut self, region: &str, instance_type: &str, hourly: Option<Money>, today: &str) {
        self.prices.insert(key(region, instance_type), CachedPrice { hourly, fetched: today.to_owned() });
    }

    pub fn len(&self) -> usize {
        self.prices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (after Howard Hinnant's `days_from_civil`);
/// `None` when it is not such a date.
pub fn day_number(date: &str) -> Option<i64> {
    let bytes = date.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &date[range];
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The UTC day of `seconds` since 1970, `YYYY-MM-DD`.
pub fn day_of(seconds: i64) -> String {
    poni_repo::time::rfc3339(seconds)[..10].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(day_number("2026-12-07"), Some(20_794));
        assert_eq!(day_of(20_794 * 86_400 + 3_600), "2026-12-07");
        for bad in ["", "2026-12-7", "2026/12/07", "2026-13-01", "2026-12-00", "+026-12-07", "２０２６-12-07"] {
            assert_eq!(day_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn prices_keep_for_a_week() {
        let mut cache = PriceCache::default();
        cache.put("us-east-1", "t3.micro", Some(Money(10_400_000)), "2026-12-01");
        cache.put("us-east-1", "x9.huge", None, "2026-12-01");
        assert_eq!(cache.fresh("us-east-1", "t3.micro", "2026-12-07").map(|c| c.hourly), Some(Some(Money(10_400_000))));
        assert_eq!(cache.fresh("us-east-1", "x9.huge", "2026-12-07").map(|c| c.hourly), Some(None), "no price is remembered too");
        assert_eq!(cache.fresh("us-east-1", "t3.micro", "2026-12-08"), None, "seven days old: asked again");
        assert_eq!(cache.fresh("us-east-1", "t3.micro", "2026-11-30"), None, "fetched in the future: not trusted");
        assert_eq!(cache.fresh("eu-west-1", "t3.micro", "2026-12-07"), None);
    }

    #[test]
    fn saved_and_loaded_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache").join("prices.json");
        let mut cache = PriceCache::default();
        cache.put("eu-west-1", "m5.large", Some(Money(107_000_000)), "2026-12-07");
        cache.save(&path).unwrap();
        assert_eq!(PriceCache::load(&path), cache);
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn a_hostile_cache_file_is_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prices.json");
        assert!(PriceCache::load(&path).is_empty(), "missing");
        for text in ["not json", "[]", r#"{"format": 99, "prices": {}}"#, r#"{"format": 1, "prices": {"a|b": {"hourly": -1, "fetched": "x"}}}"#] {
            std::fs::write(&path, text).unwrap();
            assert!(PriceCache::load(&path).is_empty(), "{text}");
        }
        std::fs::write(&path, vec![b' '; MAX_CACHE_BYTES as usize + 1]).unwrap();
        assert!(PriceCache::load(&path).is_empty(), "too large");
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert!(PriceCache::load(&path).is_empty(), "a folder");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_neither_followed_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.json");
        let mut planted = PriceCache::default();
        planted.put("us-east-1", "t3.micro", Some(Money(1)), "2026-12-07");
        planted.save(&target).unwrap();
        let path = dir.path().join("prices.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(PriceCache::load(&path).is_empty(), "a link is not read");
        let mut cache = PriceCache::default();
        cache.put("us-east-1", "t3.small", Some(Money(2)), "2026-12-07");
        cache.save(&path).unwrap();
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink(), "the link was replaced");
        assert_eq!(PriceCache::load(&target), planted, "what the link pointed at is untouched");
        assert_eq!(PriceCache::load(&path), cache);
    }
}
