package apipix

// NewWithoutClientCert builds a client that offers no client certificate,
// which New refuses to do, to show that the provider refuses it too.
func NewWithoutClientCert(cfg Config) (*Client, error) { return newClient(cfg, nil) }
