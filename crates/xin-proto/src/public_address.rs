//! The one rule for every address Xin fetches on someone else's word (webhooks, the
//! mini-program request proxy, link previews on the sharer's computer): global unicast only.
//!
//! Anything that could reach the fetching machine itself, its network, its cloud provider's
//! metadata service or a translator into one of those is refused. IPv6 is allowed only inside
//! 2000::/3 (the global unicast block) minus the parts of it that are not globally routed or
//! that embed an IPv4 address (6to4, Teredo, NAT64), and an IPv4 address written as IPv6
//! (`::ffff:10.0.0.5`, `::10.0.0.5`) is judged as the IPv4 address it is.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is a globally routed unicast address a server may connect to for a stranger.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

/// IPv4 blocks that are not global unicast (IANA special-purpose registry, RFC 6890 and after).
const V4_REFUSED: &[(u32, u8)] = &[
    (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
    (0x0A00_0000, 8),  // 10/8 private
    (0x6440_0000, 10), // 100.64/10 carrier-grade NAT (and cloud metadata services)
    (0x7F00_0000, 8),  // 127/8 loopback
    (0xA9FE_0000, 16), // 169.254/16 link-local (and cloud metadata services)
    (0xAC10_0000, 12), // 172.16/12 private
    (0xC000_0000, 24), // 192.0.0/24 IETF protocol assignments
    (0xC000_0200, 24), // 192.0.2/24 documentation
    (0xC058_6300, 24), // 192.88.99/24 6to4 relay anycast
    (0xC0A8_0000, 16), // 192.168/16 private
    (0xC612_0000, 15), // 198.18/15 benchmarking
    (0xC633_6400, 24), // 198.51.100/24 documentation
    (0xCB00_7100, 24), // 203.0.113/24 documentation
    (0xE000_0000, 4),  // 224/4 multicast
    (0xF000_0000, 4),  // 240/4 reserved, and the broadcast address
];

fn public_v4(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    !V4_REFUSED
        .iter()
        .any(|&(net, len)| bits >> (32 - len) == net >> (32 - len))
}

/// Blocks inside 2000::/3 that are not plain global unicast.
const V6_REFUSED: &[(u128, u8)] = &[
    (0x2001_0000 << 96, 23), // 2001::/23 IETF protocol assignments (Teredo 2001::/32 in it)
    (0x2001_0db8 << 96, 32), // 2001:db8::/32 documentation
    (0x2002_0000 << 96, 16), // 2002::/16 6to4, which embeds an IPv4 address
    (0x3fff_0000 << 96, 20), // 3fff::/20 documentation
    (0x0064_ff9b << 96, 96), // 64:ff9b::/96 NAT64 (outside 2000::/3; listed to be plain)
    (0x0064_ff9b_0001 << 80, 48), // 64:ff9b:1::/48 local NAT64
];

fn public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let global_unicast = bits >> 125 == 0b001;
    global_unicast
        && !V6_REFUSED
            .iter()
            .any(|&(net, len)| bits >> (128 - len) == net >> (128 - len))
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or IPv4-compatible (`::a.b.c.d`)
/// IPv6 address: a socket connecting there reaches that IPv4 host.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let compatible = s[..6] == [0; 6] && (s[6] != 0 || s[7] > 1);
    (mapped || compatible)
        .then(|| Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_global_unicast_is_public() {
        let refused = [
            // IPv4 special-purpose blocks, first and last address of each where it matters.
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.255",
            "100.100.100.200",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.1",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            // IPv6: unspecified, loopback, IPv4 in disguise, NAT64, and everything outside
            // or reserved within 2000::/3.
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.5",
            "::ffff:169.254.169.254",
            "::ffff:100.64.0.1",
            "::127.0.0.1",
            "::10.0.0.5",
            "64:ff9b::a00:5",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "100::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "2001::1",
            "2001:0:4136:e378::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "3fff::1",
            "4000::1",
            "::2:3",
        ];
        for a in refused {
            let ip: IpAddr = a.parse().unwrap_or_else(|e| panic!("{a}: {e}"));
            assert!(!is_public(ip), "{a} must be refused");
        }
        let allowed = [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.1",
            "223.255.255.255",
            "::ffff:8.8.8.8",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "2400:cb00::1",
        ];
        for a in allowed {
            let ip: IpAddr = a.parse().unwrap_or_else(|e| panic!("{a}: {e}"));
            assert!(is_public(ip), "{a} must be allowed");
        }
    }
}
