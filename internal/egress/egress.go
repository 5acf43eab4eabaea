package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// blockedPrefixes are the ranges an outgoing webhook may not reach, with
// what they are, for the error message.
var blockedPrefixes = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (\"this network\") address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT (shared) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique-local (private) address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// Blocked says whether ip is an address an outgoing webhook may not reach,
// and what kind of address it is. IPv4 addresses inside IPv6 ones
// (::ffff:127.0.0.1, NAT64 64:ff9b::/96, 6to4 2002::/16) count as the IPv4
// address they carry.
func Blocked(ip netip.Addr) (bool, string) {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
			ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		case netip.MustParsePrefix("2002::/16").Contains(ip):
			ip = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
	}
	for _, p := range blockedPrefixes {
		if p.prefix.Contains(ip) {
			return true, p.what
		}
	}
	return false, ""
}

// ErrBlocked is wrapped by the errors of a refused address.
var ErrBlocked = errors.New("address not allowed")

// Resolver looks host names up (net.DefaultResolver in production).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckURL checks a URL given for outgoing requests: http or https, a host,
// and — unless allowPrivate — a host that resolves only to public
// addresses. Its error is fit to show to the one who gave the URL.
func CheckURL(ctx context.Context, r Resolver, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return errors.New("must be an http(s) URL with a host")
	}
	if u.User != nil {
		return errors.New("must not carry a user or password")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if ips, err = r.LookupNetIP(ctx, "ip", host); err != nil || len(ips) == 0 {
			return fmt.Errorf("host %q does not resolve", host)
		}
	}
	for _, ip := range ips {
		if bad, what := Blocked(ip); bad {
			where := fmt.Sprintf("%s is %s", host, what)
			if ip.String() != host {
				where = fmt.Sprintf("%s resolves to %s, %s", host, ip, what)
			}
			return fmt.Errorf("%s: outgoing webhooks go to public addresses only (%w)", where, ErrBlocked)
		}
	}
	return nil
}

// Dialer returns a net.Dialer that refuses, at connection time, every
// address Blocked refuses (unless allowPrivate): the check happens after
// DNS resolution, on the address actually dialed.
func Dialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("egress: cannot read the address %q: %w", address, ErrBlocked)
			}
			if bad, what := Blocked(ap.Addr()); bad {
				return fmt.Errorf("egress: %s is %s: %w", ap.Addr(), what, ErrBlocked)
			}
			return nil
		}
	}
	return d
}

// Client is an HTTP client for outgoing webhooks: connections through
// Dialer(allowPrivate), no proxy from the environment, no redirects
// followed (a 3xx is the answer), and a timeout for the whole exchange.
func Client(allowPrivate bool, timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = Dialer(allowPrivate).DialContext
	return &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
