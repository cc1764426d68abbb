//! Whose request this is, by address: the peer of the socket, or behind a trusted proxy the
//! client that proxy names in `X-Forwarded-For`. Rate limits and the devices list use it.

use std::net::IpAddr;

use ipnet::IpNet;

/// A proxy given as `10.0.0.0/8` or as a single address.
pub fn parse_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))
}

/// The client's address. `forwarded_for` is every `X-Forwarded-For` value in order; each proxy
/// appends the address it received from. Read from the right, every hop that is a trusted proxy
/// is skipped and the first that is not is the client — what an untrusted client wrote further
/// left cannot be told from the truth, so it is never reached; nor is anything left of a hop
/// that is not an address. When the socket's peer is not a trusted proxy, the header is
/// ignored altogether.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.iter().flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(hop) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = hop;
        if !is_trusted(&hop) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::{client_address, parse_proxy};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() -> Result<(), String> {
        let trusted = vec![parse_proxy("10.0.0.0/8")?, parse_proxy("127.0.0.1")?];
        // Straight from a client: its own address, whatever it claims.
        assert_eq!(
            client_address(ip("203.0.113.9"), &["198.51.100.1"], &trusted),
            ip("203.0.113.9")
        );
        // Through the balancer: the address the balancer saw.
        assert_eq!(
            client_address(ip("10.0.0.5"), &["203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // A client that sends its own header gets its real address appended by the balancer:
        // the made-up one further left is never reached.
        assert_eq!(
            client_address(ip("10.0.0.5"), &["198.51.100.1, 203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // Two trusted hops (a local proxy behind the balancer), values in two headers.
        assert_eq!(
            client_address(ip("127.0.0.1"), &["203.0.113.9", "10.0.0.5"], &trusted),
            ip("203.0.113.9")
        );
        // A trusted proxy that sent no header is the client as far as anyone can tell.
        assert_eq!(
            client_address(ip("10.0.0.5"), &[], &trusted),
            ip("10.0.0.5")
        );
        // No proxies configured: the header is ignored.
        assert_eq!(
            client_address(ip("127.0.0.1"), &["203.0.113.9"], &[]),
            ip("127.0.0.1")
        );
        Ok(())
    }

    #[test]
    fn a_garbled_hop_stops_the_walk_and_a_bad_proxy_is_refused() -> Result<(), String> {
        let trusted = vec![parse_proxy("10.0.0.0/8")?];
        // What a client wrote itself, garbled, does not hide the address the balancer added.
        assert_eq!(
            client_address(ip("10.0.0.5"), &["not-an-ip, 203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // A garbled hop right of the client: nothing beyond it is believed.
        assert_eq!(
            client_address(ip("10.0.0.5"), &["203.0.113.9, not-an-ip"], &trusted),
            ip("10.0.0.5")
        );
        assert!(parse_proxy("10.0.0.0/33").is_err());
        assert!(parse_proxy("proxy.example").is_err());
        assert_eq!(parse_proxy(" ::1 ")?.to_string(), "::1/128");
        Ok(())
    }
}
