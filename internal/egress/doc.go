// Package egress guards the requests Régua makes to addresses a customer
// chose (outgoing webhooks): such a URL must not reach the service's own
// network — loopback, private ranges, link-local (the cloud metadata service
// at 169.254.169.254), CGNAT, unspecified, multicast or IPv6 unique-local
// addresses — or it becomes a way to probe and call internal systems
// (server-side request forgery).
//
// CheckURL refuses such a URL when it is registered; Client dials through a
// net.Dialer whose Control hook refuses such an address at connection time,
// after DNS resolution, so that a name that later resolves elsewhere (DNS
// rebinding) or a redirect cannot get around the first check.
//
// It must never be bypassed by a proxy (Client ignores HTTP_PROXY) and must
// never follow redirects.
package egress
