//! Network prefix of an IP address in CIDR text.
//!
//! Why: attackers rotate addresses inside a subnet (and IPv6 clients get a
//! whole /64), so hunting groups by `/24` or `/64` rather than by address;
//! DuckDB's SQL has no portable IPv6-aware way to do that on text.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Write the network of `ip` with a `bits`-long prefix to `out` (cleared
/// first) as CIDR text, e.g. `203.0.113.77`/24 -> `203.0.113.0/24`,
/// `2001:db8:abcd:12::1`/64 -> `2001:db8:abcd:12::/64`. IPv6 output is the
/// RFC 5952 canonical form (`std::net::Ipv6Addr`'s `Display`: lower case,
/// longest zero run compressed, IPv4-mapped addresses in mixed notation).
///
/// Surrounding ASCII whitespace is ignored. An IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.1`, RFC 4291 2.5.5.2: an IPv4 client seen by a dual-stack
/// listener) is its IPv4 address, so it groups with the same client's
/// IPv4 requests: bits 0..=32, IPv4 output.
/// Returns false (caller returns NULL) for text that is not an IP address,
/// for `bits` outside 0..=32 (IPv4) or 0..=128 (IPv6), or on invalid UTF-8.
pub fn ip_prefix(ip: &[u8], bits: i64, out: &mut Vec<u8>) -> bool {
    out.clear();
    let Ok(text) = std::str::from_utf8(ip.trim_ascii()) else {
        return false;
    };
    let Ok(addr) = text.parse::<IpAddr>() else {
        return false;
    };
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
        v4 => v4,
    };
    match addr {
        IpAddr::V4(v4) => {
            let Ok(b) = u32::try_from(bits) else {
                return false;
            };
            if b > 32 {
                return false;
            }
            let mask = u32::MAX.checked_shl(32 - b).unwrap_or(0);
            let net = Ipv4Addr::from(u32::from(v4) & mask);
            write!(out, "{net}/{b}").is_ok()
        }
        IpAddr::V6(v6) => {
            let Ok(b) = u32::try_from(bits) else {
                return false;
            };
            if b > 128 {
                return false;
            }
            let mask = u128::MAX.checked_shl(128 - b).unwrap_or(0);
            let net = Ipv6Addr::from(u128::from(v6) & mask);
            write!(out, "{net}/{b}").is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ip: &str, bits: i64) -> Option<String> {
        let mut out = b"stale".to_vec();
        if ip_prefix(ip.as_bytes(), bits, &mut out) {
            Some(String::from_utf8(out).unwrap())
        } else {
            assert!(out.is_empty());
            None
        }
    }

    #[test]
    fn ipv4() {
        // 77 & 0 (last octet masked by /24) = 0.
        assert_eq!(p("203.0.113.77", 24).as_deref(), Some("203.0.113.0/24"));
        // /16 keeps 203.0, zeroes 113.77.
        assert_eq!(p("203.0.113.77", 16).as_deref(), Some("203.0.0.0/16"));
        assert_eq!(p("203.0.113.77", 32).as_deref(), Some("203.0.113.77/32"));
        assert_eq!(p("203.0.113.77", 0).as_deref(), Some("0.0.0.0/0"));
        // /20: third octet 113 = 0111_0001, keep the top 4 bits: 0111_0000 = 112.
        assert_eq!(p("203.0.113.77", 20).as_deref(), Some("203.0.112.0/20"));
        // /25: last octet 77 = 0100_1101, keep top bit: 0.
        assert_eq!(p("198.51.100.200", 25).as_deref(), Some("198.51.100.128/25"));
        assert_eq!(p("  192.0.2.1\t", 24).as_deref(), Some("192.0.2.0/24"));
        assert_eq!(p("203.0.113.77", 33), None);
        assert_eq!(p("203.0.113.77", -1), None);
        assert_eq!(p("203.0.113.77", i64::MAX), None);
        assert_eq!(p("203.0.113.77", i64::MIN), None);
    }

    #[test]
    fn ipv6() {
        // /64 keeps the first four groups 2001:db8:abcd:12, the rest is zero: "::".
        assert_eq!(p("2001:db8:abcd:12::1", 64).as_deref(), Some("2001:db8:abcd:12::/64"));
        // /48 keeps 2001:db8:abcd.
        assert_eq!(p("2001:db8:abcd:12::1", 48).as_deref(), Some("2001:db8:abcd::/48"));
        assert_eq!(p("2001:db8:abcd:12::1", 128).as_deref(), Some("2001:db8:abcd:12::1/128"));
        assert_eq!(p("2001:db8:abcd:12::1", 0).as_deref(), Some("::/0"));
        // Non-canonical input (upper case, leading zeros) comes out canonical.
        assert_eq!(p("2001:0DB8:85A3:0000:0000:8A2E:0370:7334", 64).as_deref(), Some("2001:db8:85a3::/64"));
        // /56: 48 bits = three groups, plus the top 8 bits of group 4: 0x1234 & 0xff00 = 0x1200.
        assert_eq!(p("2001:db8:abcd:1234::1", 56).as_deref(), Some("2001:db8:abcd:1200::/56"));
        assert_eq!(p("2001:db8::1", 129), None);
    }

    /// Issue 11: an IPv4-mapped address is grouped with IPv4 (the same client over a
    /// dual-stack listener), with IPv4 prefix lengths.
    #[test]
    fn ipv4_mapped_is_ipv4() {
        assert_eq!(p("::ffff:1.2.3.4", 24).as_deref(), Some("1.2.3.0/24"));
        assert_eq!(p("::FFFF:198.51.100.200", 25).as_deref(), Some("198.51.100.128/25"));
        assert_eq!(p("::ffff:c000:0201", 32).as_deref(), Some("192.0.2.1/32"));
        assert_eq!(p("::ffff:1.2.3.4", 33), None);
        assert_eq!(p("::ffff:1.2.3.4", 120), None);
        // Not mapped: IPv4-compatible (deprecated) and NAT64 addresses stay IPv6.
        assert_eq!(p("::1.2.3.4", 96).as_deref(), Some("::/96"));
        assert_eq!(p("64:ff9b::1.2.3.4", 96).as_deref(), Some("64:ff9b::/96"));
    }

    #[test]
    fn not_ips() {
        assert_eq!(p("not-an-ip", 24), None);
        assert_eq!(p("", 24), None);
        assert_eq!(p("-", 24), None);
        assert_eq!(p("192.0.2", 24), None);
        assert_eq!(p("192.0.2.1/24", 24), None);
        assert_eq!(p("256.0.0.1", 24), None);
        assert_eq!(p("[2001:db8::1]", 64), None);
        let mut out = Vec::new();
        assert!(!ip_prefix(&[0xff, b'1'], 8, &mut out));
    }
}
