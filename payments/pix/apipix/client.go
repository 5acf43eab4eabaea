package apipix

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultScope is what the client asks for when Config.Scope is empty: the
// scopes Régua uses (charges with and without due date, received Pix).
const DefaultScope = "cob.write cob.read cobv.write cobv.read pix.read"

// Config configures a Client.
type Config struct {
	// BaseURL is the provider's API Pix root, e.g. "https://pix.example.com/v2";
	// paths such as /cob/{txid} are appended to it.
	BaseURL string
	// TokenURL is the OAuth2 token endpoint; default BaseURL + "/oauth/token".
	TokenURL string
	// ClientID and ClientSecret are the OAuth2 client credentials, sent
	// with HTTP Basic authentication.
	ClientID     string
	ClientSecret string
	// Certificate is the client certificate for mutual TLS. When nil,
	// CertFile and KeyFile (PEM files) are loaded instead. One is required:
	// the API Pix accepts no connection without a client certificate.
	Certificate *tls.Certificate
	CertFile    string
	KeyFile     string
	// RootCAs verifies the provider's server certificate; nil uses the
	// system pool.
	RootCAs *x509.CertPool
	// Scope is the space-separated OAuth2 scope; default DefaultScope.
	Scope string
	// PageSize is paginacao.itensPorPagina for ListPix; 0 leaves it to the
	// provider (100 in the API Pix).
	PageSize int
	// Timeout bounds each HTTP exchange; default 30 seconds.
	Timeout time.Duration
	// Now is the clock for token expiry; default time.Now.
	Now func() time.Time
}

// Client calls a provider's API Pix. It is safe for concurrent use; the
// access token is shared and fetched by one caller at a time.
type Client struct {
	base     string
	tokenURL string
	id       string
	secret   string
	scope    string
	pageSize int
	http     *http.Client
	now      func() time.Time

	// tokenSem serialises token fetches while letting waiters give up
	// when their context ends (a mutex would not).
	tokenSem chan struct{}
	token    string
	expiry   time.Time // zero: valid until the provider says otherwise
}

// New returns a Client for cfg. It loads the client certificate but makes
// no request: the first call fetches the access token.
func New(cfg Config) (*Client, error) {
	var cert tls.Certificate
	switch {
	case cfg.Certificate != nil:
		cert = *cfg.Certificate
	case cfg.CertFile != "" || cfg.KeyFile != "":
		var err error
		cert, err = tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("apipix: load client certificate: %w", err)
		}
	default:
		return nil, errors.New("apipix: a client certificate is required (the API Pix is mutual TLS only)")
	}
	return newClient(cfg, []tls.Certificate{cert})
}

func newClient(cfg Config, certs []tls.Certificate) (*Client, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("apipix: base URL %q must be an absolute https URL", cfg.BaseURL)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("apipix: client id and client secret are required")
	}
	c := &Client{
		base:     base,
		tokenURL: cfg.TokenURL,
		id:       cfg.ClientID,
		secret:   cfg.ClientSecret,
		scope:    cfg.Scope,
		pageSize: cfg.PageSize,
		now:      cfg.Now,
		tokenSem: make(chan struct{}, 1),
	}
	if c.tokenURL == "" {
		c.tokenURL = base + "/oauth/token"
	}
	if c.scope == "" {
		c.scope = DefaultScope
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.pageSize < 0 || c.pageSize > 1000 {
		return nil, fmt.Errorf("apipix: page size %d out of range 0..1000", c.pageSize)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	transport := &http.Transport{
		Proxy:       http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig: &tls.Config{
			Certificates: certs,
			RootCAs:      cfg.RootCAs,
			MinVersion:   tls.VersionTLS12,
		},
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
	}
	c.http = &http.Client{Transport: transport, Timeout: timeout}
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() {
	c.http.CloseIdleConnections()
}

// maxBody bounds a successful answer (a page of 1000 Pix fits easily).
const maxBody = 16 << 20

// do sends one API request with the cached access token. On 401 it drops
// the token, fetches a new one and tries once more: providers revoke tokens
// before their announced expiry, and a second 401 means something else.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("apipix: %s: encode: %w", op, err)
		}
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return fmt.Errorf("apipix: %s: %w", op, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("apipix: %s: %w", op, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			drain(resp)
			c.dropToken(tok)
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return responseError(op, resp)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if err != nil {
			return fmt.Errorf("apipix: %s: read answer: %w", op, err)
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("apipix: %s: decode answer: %w", op, err)
		}
		return nil
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

// accessToken returns the cached token, fetching a new one when there is
// none or it is about to expire.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	select {
	case c.tokenSem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("apipix: token: %w", ctx.Err())
	}
	defer func() { <-c.tokenSem }()
	if c.token != "" && (c.expiry.IsZero() || c.now().Before(c.expiry)) {
		return c.token, nil
	}
	tok, expiry, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.expiry = tok, expiry
	return tok, nil
}

// dropToken forgets tok unless another caller already replaced it.
func (c *Client) dropToken(tok string) {
	c.tokenSem <- struct{}{}
	if c.token == tok {
		c.token, c.expiry = "", time.Time{}
	}
	<-c.tokenSem
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Time, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.scope != "" {
		form.Set("scope", c.scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("apipix: token: %w", err)
	}
	req.SetBasicAuth(c.id, c.secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("apipix: token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", time.Time{}, responseError("token", resp)
	}
	var t struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&t); err != nil {
		return "", time.Time{}, fmt.Errorf("apipix: token: decode answer: %w", err)
	}
	if t.AccessToken == "" {
		return "", time.Time{}, errors.New("apipix: token: answer has no access_token")
	}
	if t.TokenType != "" && !strings.EqualFold(t.TokenType, "bearer") {
		return "", time.Time{}, fmt.Errorf("apipix: token: unsupported token_type %q", t.TokenType)
	}
	secs, err := expiresIn(t.ExpiresIn)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("apipix: token: expires_in: %w", err)
	}
	var expiry time.Time
	if secs > 0 {
		ttl := time.Duration(secs) * time.Second
		// Renew a little early so a token never expires in flight.
		expiry = c.now().Add(ttl - min(time.Minute, ttl/10))
	}
	return t.AccessToken, expiry, nil
}

// expiresIn reads expires_in, which some providers send as a string.
func expiresIn(raw json.RawMessage) (int64, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a number of seconds", s)
	}
	return n, nil
}
