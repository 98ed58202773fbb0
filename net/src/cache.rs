//! OCSP responses and CRLs kept until they expire, so a batch of
//! signatures, or a signer checked before every signature, does not ask the
//! responder each time.
//!
//! The cache does not read the answers: the caller parses them with
//! kyso-core and says until when each is good (its `nextUpdate`). Time is a
//! parameter, as everywhere in Kyso, so expiry is testable. Bounded in
//! entries and bytes; when full, the entries that expire first go first
//! (they are the least useful to keep).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// Entries kept by [`Cache::default`].
pub const DEFAULT_MAX_ENTRIES: usize = 256;
/// Bytes kept by [`Cache::default`] (a few large CRLs).
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// What an answer was fetched for: the URL and the request sent (empty for
/// a GET).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey {
    url: String,
    request: Vec<u8>,
}

impl CacheKey {
    /// The key of `request` sent to `url` (`&[]` for a CRL's GET).
    pub fn new(url: impl Into<String>, request: impl Into<Vec<u8>>) -> CacheKey {
        CacheKey {
            url: url.into(),
            request: request.into(),
        }
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the entry costs besides its answer.
    fn size(&self) -> usize {
        self.url.len() + self.request.len()
    }
}

/// A thread-safe cache of answers until their expiry.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use kyso_net::{Cache, CacheKey};
///
/// let cache = Cache::default();
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// let key = CacheKey::new("http://crl.example.vn/ca.crl", []);
/// cache.put(key.clone(), b"crl".to_vec(), now + Duration::from_secs(3600));
/// assert_eq!(cache.get(&key, now).as_deref(), Some(&b"crl"[..]));
/// assert_eq!(cache.get(&key, now + Duration::from_secs(3600)), None); // expired
/// ```
#[derive(Debug)]
pub struct Cache {
    max_entries: usize,
    max_bytes: usize,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<CacheKey, Entry>,
    bytes: usize,
}

#[derive(Debug)]
struct Entry {
    answer: Arc<[u8]>,
    expires_at: SystemTime,
}

impl Entry {
    fn size(&self, key: &CacheKey) -> usize {
        self.answer.len() + key.size()
    }
}

impl Default for Cache {
    fn default() -> Self {
        Cache::new(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES)
    }
}

impl Cache {
    /// An empty cache holding at most `max_entries` answers and
    /// `max_bytes` bytes (answers, URLs and requests together).
    pub fn new(max_entries: usize, max_bytes: usize) -> Cache {
        Cache {
            max_entries,
            max_bytes,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// The answer for `key` if it is still good at `now` (an expired one is
    /// dropped).
    pub fn get(&self, key: &CacheKey, now: SystemTime) -> Option<Arc<[u8]>> {
        let mut entries = self.lock();
        let expired = now >= entries.map.get(key)?.expires_at;
        if expired {
            entries.remove(key);
            return None;
        }
        entries.map.get(key).map(|e| e.answer.clone())
    }

    /// Keeps `answer` for `key` until `expires_at`, replacing what `key` had.
    /// An answer larger than the whole cache is not kept.
    pub fn put(&self, key: CacheKey, answer: Vec<u8>, expires_at: SystemTime) {
        let entry = Entry {
            answer: answer.into(),
            expires_at,
        };
        let size = entry.size(&key);
        if size > self.max_bytes || self.max_entries == 0 {
            return;
        }
        let mut entries = self.lock();
        entries.remove(&key);
        while entries.map.len() >= self.max_entries || entries.bytes + size > self.max_bytes {
            let Some(first) = entries
                .map
                .iter()
                .min_by_key(|(_, e)| e.expires_at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            entries.remove(&first);
        }
        entries.bytes += size;
        entries.map.insert(key, entry);
    }

    /// The answer for `key`: the cached one while good at `now`, else
    /// `fetch`'s, kept until `expires_at` says (`None`, or a time not after
    /// `now`: not kept — an OCSP response without `nextUpdate`, say).
    ///
    /// The lock is not held while fetching, so a slow server does not hold
    /// up other lookups; two callers missing at once both fetch.
    pub fn get_or_fetch<E>(
        &self,
        key: &CacheKey,
        now: SystemTime,
        fetch: impl FnOnce() -> Result<Vec<u8>, E>,
        expires_at: impl FnOnce(&[u8]) -> Option<SystemTime>,
    ) -> Result<Arc<[u8]>, E> {
        if let Some(hit) = self.get(key, now) {
            return Ok(hit);
        }
        let answer = fetch()?;
        match expires_at(&answer).filter(|t| *t > now) {
            Some(t) => {
                let shared: Arc<[u8]> = answer.into();
                self.put(key.clone(), shared.to_vec(), t);
                Ok(shared)
            }
            None => Ok(answer.into()),
        }
    }

    /// The number of answers kept (expired ones included until looked up or
    /// pushed out).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Every update leaves the map and its byte count consistent, so a
        // panic elsewhere while holding the lock leaves a usable cache.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entries {
    fn remove(&mut self, key: &CacheKey) {
        if let Some(old) = self.map.remove(key) {
            self.bytes -= old.size(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn key(n: u8) -> CacheKey {
        CacheKey::new("http://ocsp.example.vn", [n])
    }

    #[test]
    fn answers_until_expiry_then_forgets() {
        let cache = Cache::default();
        cache.put(key(1), b"good".to_vec(), at(100));
        assert_eq!(cache.get(&key(1), at(0)).as_deref(), Some(&b"good"[..]));
        assert_eq!(cache.get(&key(1), at(99)).as_deref(), Some(&b"good"[..]));
        assert_eq!(cache.get(&key(2), at(0)), None, "another request");
        assert_eq!(cache.get(&key(1), at(100)), None);
        assert!(cache.is_empty(), "the expired entry is dropped");
    }

    #[test]
    fn the_url_and_the_request_make_the_key() {
        let cache = Cache::default();
        cache.put(CacheKey::new("http://a", *b"r"), b"a".to_vec(), at(10));
        assert_eq!(cache.get(&CacheKey::new("http://b", *b"r"), at(0)), None);
        assert!(cache
            .get(&CacheKey::new("http://a", *b"r"), at(0))
            .is_some());
        cache.put(CacheKey::new("http://a", *b"r"), b"newer".to_vec(), at(20));
        assert_eq!(cache.len(), 1);
        assert_eq!(
            cache
                .get(&CacheKey::new("http://a", *b"r"), at(15))
                .as_deref(),
            Some(&b"newer"[..])
        );
    }

    #[test]
    fn bounded_in_entries_the_first_to_expire_go_first() {
        let cache = Cache::new(3, 1 << 20);
        cache.put(key(1), b"1".to_vec(), at(30));
        cache.put(key(2), b"2".to_vec(), at(10));
        cache.put(key(3), b"3".to_vec(), at(20));
        cache.put(key(4), b"4".to_vec(), at(40));
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&key(2), at(0)), None);
        for n in [1, 3, 4] {
            assert!(cache.get(&key(n), at(0)).is_some(), "{n}");
        }
    }

    #[test]
    fn bounded_in_bytes() {
        let url_and_request = key(0).size();
        let cache = Cache::new(100, 2 * (1000 + url_and_request));
        cache.put(key(1), vec![1; 1000], at(10));
        cache.put(key(2), vec![2; 1000], at(20));
        cache.put(key(3), vec![3; 1000], at(30));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(&key(1), at(0)), None);
        cache.put(key(4), vec![4; 1_000_000], at(40));
        assert_eq!(cache.get(&key(4), at(0)), None, "larger than the cache");
        assert_eq!(cache.len(), 2, "and pushed nothing out");
    }

    #[test]
    fn get_or_fetch_fetches_once_while_good() {
        let cache = Cache::default();
        let mut fetches = 0;
        for now in [at(0), at(50)] {
            let answer = cache
                .get_or_fetch(
                    &key(1),
                    now,
                    || {
                        fetches += 1;
                        Ok::<_, ()>(b"ocsp".to_vec())
                    },
                    |_| Some(at(100)),
                )
                .unwrap();
            assert_eq!(&answer[..], b"ocsp");
        }
        assert_eq!(fetches, 1);
        // No nextUpdate, or one already past: returned, not kept.
        for expiry in [None, Some(at(0))] {
            let got = cache.get_or_fetch(&key(2), at(0), || Ok::<_, ()>(vec![2]), |_| expiry);
            assert_eq!(got.unwrap().to_vec(), vec![2]);
            assert_eq!(cache.get(&key(2), at(0)), None);
        }
        let failed = cache.get_or_fetch(&key(3), at(0), || Err("down"), |_| Some(at(9)));
        assert_eq!(failed.unwrap_err(), "down");
    }

    #[test]
    fn shared_between_threads() {
        let cache = Arc::new(Cache::new(8, 1 << 20));
        let threads: Vec<_> = (0..4u8)
            .map(|t| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    for n in 0..50u8 {
                        cache.put(key(t * 50 + n), vec![n], at(u64::from(n)));
                        let _ = cache.get(&key(t * 50 + n), at(0));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(cache.len(), 8);
    }
}
