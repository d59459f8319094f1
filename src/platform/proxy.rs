//! The real client address behind reverse proxies. Throttling and the
//! audit log's access point key on it, so it must not be forgeable:
//! `X-Forwarded-For` is honoured only when the connection comes from a
//! configured trusted proxy (`--trusted-proxy 10.0.0.0/8,127.0.0.1`), and
//! then the client is the right-most address in it that is not itself a
//! trusted proxy. Everything left of that was written by the client or by
//! proxies we do not know, and could say anything.
//!
//! Only `X-Forwarded-For` is read (what nginx, HAProxy, Caddy and Traefik
//! send); the RFC 7239 `Forwarded` header is ignored.
//!
//! Address ranges are matched by hand with `std::net` (a prefix mask on the
//! address as a `u32` or `u128`): it is a dozen lines, and it keeps a new
//! dependency out of the part of the code that decides who is asking.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// One trusted address (`127.0.0.1`, `::1`) or network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` is in this network. IPv4 addresses that arrive mapped
    /// into IPv6 (`::ffff:10.0.0.1`, from a server listening on `[::]`)
    /// count as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = mask(self.prefix, 32) as u32;
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = mask(self.prefix, 128);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }

    /// Whether the base has no bits set after the prefix.
    fn is_start(&self) -> bool {
        match self.base {
            IpAddr::V4(base) => u32::from(base) & !(mask(self.prefix, 32) as u32) == 0,
            IpAddr::V6(base) => u128::from(base) & !mask(self.prefix, 128) == 0,
        }
    }
}

/// The first `prefix` of `bits` bits set, in the low `bits` bits of the result.
fn mask(prefix: u8, bits: u32) -> u128 {
    let all = u128::MAX >> (128 - bits);
    all & !(all.checked_shr(u32::from(prefix)).unwrap_or(0))
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base = IpAddr::from_str(address)
            .map_err(|_| format!("'{text}' is not an IP address or network (such as 10.0.0.0/8)"))?
            .to_canonical();
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("'{text}': the prefix length must be 0 to {bits}"))?,
        };
        let network = Network { base, prefix };
        // A typo such as 10.0.0.1/8 would trust far more than meant.
        if !network.is_start() {
            return Err(format!(
                "'{text}' has bits set after the prefix; write the network's first address"
            ));
        }
        Ok(network)
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = if self.base.is_ipv4() { 32 } else { 128 };
        if self.prefix == bits {
            write!(f, "{}", self.base)
        } else {
            write!(f, "{}/{}", self.base, self.prefix)
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl FromIterator<Network> for TrustedProxies {
    fn from_iter<I: IntoIterator<Item = Network>>(networks: I) -> TrustedProxies {
        TrustedProxies(networks.into_iter().collect())
    }
}

impl TrustedProxies {
    /// Parses addresses and networks, each item possibly a comma-separated list.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<TrustedProxies, String> {
        items
            .iter()
            .flat_map(|item| item.as_ref().split(','))
            .filter(|part| !part.trim().is_empty())
            .map(Network::from_str)
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a connection from `peer` that carried these
    /// `X-Forwarded-For` values (in header order): the peer itself unless it
    /// is a trusted proxy; else, walking the hops from the right, the first
    /// that is not a trusted proxy. A hop that is not an address stops the
    /// walk at the trusted proxy that passed it on.
    pub fn client<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// A hop as proxies write it: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`,
/// or with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    IpAddr::from_str(hop)
        .ok()
        .or_else(|| SocketAddr::from_str(hop).ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| IpAddr::from_str(h).ok())
        })
        .map(|ip| ip.to_canonical())
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(Network::to_string).collect();
        write!(f, "{}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(&[list]).unwrap()
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        let private: Network = "10.0.0.0/8".parse().unwrap();
        assert!(private.contains(ip("10.0.0.1")));
        assert!(private.contains(ip("10.255.255.255")));
        assert!(!private.contains(ip("11.0.0.0")));
        assert!(!private.contains(ip("9.255.255.255")));
        assert!(
            private.contains(ip("::ffff:10.1.2.3")),
            "mapped into IPv6 by a dual-stack listener"
        );
        assert!(!private.contains(ip("fd00::1")));
        let host: Network = "127.0.0.1".parse().unwrap();
        assert!(host.contains(ip("127.0.0.1")));
        assert!(!host.contains(ip("127.0.0.2")));
        let local: Network = "fd00::/8".parse().unwrap();
        assert!(local.contains(ip("fd12:3456::1")));
        assert!(!local.contains(ip("fe80::1")));
        let everything: Network = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.5")));
        assert!(!everything.contains(ip("2001:db8::1")));
        let loopback6: Network = "::1".parse().unwrap();
        assert!(loopback6.contains(ip("::1")));
        assert!(!loopback6.contains(ip("::2")));
    }

    #[test]
    fn mistyped_networks_are_refused_with_a_reason() {
        for (text, reason) in [
            ("10.0.0.1/8", "bits set after the prefix"),
            ("fd00::1/8", "bits set after the prefix"),
            ("10.0.0.0/33", "prefix length must be 0 to 32"),
            ("fd00::/129", "0 to 128"),
            ("proxy.example", "not an IP address"),
            ("10.0.0.0/", "prefix length"),
        ] {
            let error = text.parse::<Network>().unwrap_err();
            assert!(error.contains(reason), "{text}: {error}");
        }
        let list = TrustedProxies::parse(&["10.0.0.0/8, 127.0.0.1", "::1"]).unwrap();
        assert_eq!(list.to_string(), "10.0.0.0/8,127.0.0.1,::1");
        assert!(TrustedProxies::parse::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn without_a_trusted_proxy_the_peer_is_the_client_whatever_it_claims() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), ["192.0.2.1"]),
            ip("203.0.113.9")
        );
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            trusted.client(ip("203.0.113.9"), ["10.0.0.5, 192.0.2.1"]),
            ip("203.0.113.9"),
            "a peer that is no proxy of ours"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies("10.0.0.0/8,127.0.0.1");
        // One proxy: it appended the client.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), ["203.0.113.5"]),
            ip("203.0.113.5")
        );
        // The client wrote its own header first; the proxy appended the truth.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), ["192.0.2.1, 203.0.113.5"]),
            ip("203.0.113.5")
        );
        // Two proxies of ours (a load balancer, then nginx on this host),
        // the header split over two lines.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), ["192.0.2.1", "203.0.113.5, 10.0.0.7"]),
            ip("203.0.113.5")
        );
        // Ports and brackets as some proxies write them.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), ["[2001:db8::7]:4711"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            trusted.client(ip("::ffff:127.0.0.1"), ["203.0.113.5:80"]),
            ip("203.0.113.5")
        );
        // A request from the proxy's own host without a header, or with
        // nothing but trusted hops, is the left-most trusted one.
        assert_eq!(trusted.client(ip("127.0.0.1"), []), ip("127.0.0.1"));
        assert_eq!(
            trusted.client(ip("127.0.0.1"), ["10.0.0.7"]),
            ip("10.0.0.7")
        );
        // Garbage stops the walk at the proxy that passed it on.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), ["203.0.113.5, unknown, 10.0.0.7"]),
            ip("10.0.0.7")
        );
    }
}
