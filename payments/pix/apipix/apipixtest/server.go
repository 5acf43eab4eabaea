package apipixtest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// Config tunes a fake server; the zero value works.
type Config struct {
	// ClientID and ClientSecret are the credentials /oauth/token accepts;
	// defaults "regua-test" and "regua-test-secret".
	ClientID     string
	ClientSecret string
	// TokenTTL is the access tokens' lifetime; default one hour.
	TokenTTL time.Duration
	// PageSize is GET /pix's default paginacao.itensPorPagina; default 100.
	PageSize int
	// Now is the fake's clock (token expiry, creation times); default time.Now.
	Now func() time.Time
	// MerchantName and MerchantCity go into the BR Codes; defaults
	// "REGUA TESTES LTDA" and "SAO PAULO".
	MerchantName string
	MerchantCity string
	// LocationPrefix starts every charge's location (no scheme); default
	// "pix.example.com/qr/v2/".
	LocationPrefix string
}

// Server is a running fake provider. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root, "https://127.0.0.1:<port>".
	URL string
	// ClientID and ClientSecret are the credentials it accepts.
	ClientID     string
	ClientSecret string

	cfg Config
	pki *pki
	hs  *httptest.Server

	mu            sync.Mutex
	tokens        map[string]issuedToken
	tokenRequests int
	charges       map[string]*charge
	order         []string
	payments      []Payment
	failures      []int
	requests      []Request
	serverErrors  []string
	seq           int
}

type issuedToken struct {
	scopes  []string
	expires time.Time
}

type charge struct {
	Charge
	doc map[string]any // the representation answered, status aside
}

// Charge is a charge the fake holds.
type Charge struct {
	Kind          string // "cob" or "cobv"
	TxID          string
	Status        string // ATIVA, CONCLUIDA
	Valor         payments.Cents
	Location      string
	PixCopiaECola string
	Criacao       time.Time
	// Request is the body exactly as the client sent it.
	Request json.RawMessage
}

// Payment is a received Pix the fake holds (what GET /pix lists).
type Payment struct {
	EndToEndID  string
	TxID        string
	Valor       payments.Cents
	Horario     time.Time
	InfoPagador string
}

// Request is one request the fake answered.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int
}

// Scopes the fake knows; a token without the one an endpoint needs gets 403.
var knownScopes = []string{"cob.write", "cob.read", "cobv.write", "cobv.read", "pix.read"}

// NewServer starts a fake provider on loopback, with fresh certificates,
// and stops it when the test ends.
func NewServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID = "regua-test"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "regua-test-secret"
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 100
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MerchantName == "" {
		cfg.MerchantName = "REGUA TESTES LTDA"
	}
	if cfg.MerchantCity == "" {
		cfg.MerchantCity = "SAO PAULO"
	}
	if cfg.LocationPrefix == "" {
		cfg.LocationPrefix = "pix.example.com/qr/v2/"
	}
	p, err := newPKI()
	if err != nil {
		t.Fatalf("apipixtest: make certificates: %v", err)
	}
	s := &Server{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		cfg:          cfg,
		pki:          p,
		tokens:       make(map[string]issuedToken),
		charges:      make(map[string]*charge),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("PUT /cob/{txid}", s.api("cob.write", s.putCharge("cob")))
	mux.HandleFunc("GET /cob/{txid}", s.api("cob.read", s.getCharge("cob")))
	mux.HandleFunc("PUT /cobv/{txid}", s.api("cobv.write", s.putCharge("cobv")))
	mux.HandleFunc("GET /cobv/{txid}", s.api("cobv.read", s.getCharge("cobv")))
	mux.HandleFunc("GET /pix", s.api("pix.read", s.listPix))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusNotFound, "NaoEncontrado", "Não encontrado.", "O recurso solicitado não existe.", nil)
	})
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status})
		s.mu.Unlock()
	}))
	s.hs.TLS = &tls.Config{
		Certificates: []tls.Certificate{p.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.pool,
		MinVersion:   tls.VersionTLS12,
	}
	s.hs.Config.ErrorLog = log.New(logWriter{s}, "", 0)
	s.hs.StartTLS()
	s.URL = s.hs.URL
	t.Cleanup(s.hs.Close)
	return s
}

type logWriter struct{ s *Server }

func (l logWriter) Write(b []byte) (int, error) {
	l.s.mu.Lock()
	l.s.serverErrors = append(l.s.serverErrors, strings.TrimSpace(string(b)))
	l.s.mu.Unlock()
	return len(b), nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// --- test controls -------------------------------------------------------

// Pay records a received Pix of amount settling txid (empty for none) at
// at (zero: now). An empty e2eID gets a fresh one from NewEndToEndID. A
// charge with that txid that is still ATIVA becomes CONCLUIDA. The fake
// checks nothing here, so tests can also plant malformed payments.
func (s *Server) Pay(txid string, amount payments.Cents, e2eID string, at time.Time) Payment {
	if at.IsZero() {
		at = s.cfg.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if e2eID == "" {
		e2eID = NewEndToEndID("00000000", at, s.seq)
	}
	p := Payment{EndToEndID: e2eID, TxID: txid, Valor: amount, Horario: at}
	s.payments = append(s.payments, p)
	if c := s.charges[txid]; c != nil && c.Status == "ATIVA" {
		c.Status = "CONCLUIDA"
	}
	return p
}

// AddPayment records p as received, exactly as given.
func (s *Server) AddPayment(p Payment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.payments = append(s.payments, p)
}

// Payments returns the received Pix, in the order recorded.
func (s *Server) Payments() []Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.payments)
}

// Charges returns the charges created, in creation order.
func (s *Server) Charges() []Charge {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Charge, 0, len(s.order))
	for _, txid := range s.order {
		out = append(out, s.charges[txid].Charge)
	}
	return out
}

// Charge returns the charge txid, if created.
func (s *Server) Charge(txid string) (Charge, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.charges[txid]
	if !ok {
		return Charge{}, false
	}
	return c.Charge, true
}

// FailNext makes the next n API requests (not /oauth/token) answer status
// with a problem+json body, before any other check. 401 is answered as an
// expired token would be; 503 as a provider in maintenance.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, status)
	}
}

// ExpireTokens revokes every access token issued so far, as a provider
// does when it rotates keys: the next API request with one gets 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// TokenRequests is how many times /oauth/token was called.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// Requests returns every request answered, in order (TLS handshakes that
// failed never become requests; see HandshakeErrors).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// HandshakeErrors returns the TLS handshake failures the server logged,
// such as a client that offered no certificate.
func (s *Server) HandshakeErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.serverErrors {
		if strings.Contains(e, "TLS handshake error") {
			out = append(out, e)
		}
	}
	return out
}

// --- OAuth2 --------------------------------------------------------------

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenRequests++
	s.mu.Unlock()
	id, secret, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(s.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="apipixtest"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	if g := r.PostForm.Get("grant_type"); g != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", g))
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = knownScopes
	}
	for _, sc := range scopes {
		if !slices.Contains(knownScopes, sc) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("scope %q is unknown", sc))
			return
		}
	}
	tok := randomHex(24)
	s.mu.Lock()
	s.tokens[tok] = issuedToken{scopes: scopes, expires: s.cfg.Now().Add(s.cfg.TokenTTL)}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int64(s.cfg.TokenTTL / time.Second),
		"scope":        strings.Join(scopes, " "),
	})
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// api wraps an endpoint with fault injection, the bearer token check and
// the scope check, in that order.
func (s *Server) api(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		fail := 0
		if len(s.failures) > 0 {
			fail, s.failures = s.failures[0], s.failures[1:]
		}
		s.mu.Unlock()
		if fail != 0 {
			injected(w, fail)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		it, known := s.tokens[tok]
		expired := known && !s.cfg.Now().Before(it.expires)
		s.mu.Unlock()
		if !ok || !known || expired {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			problem(w, http.StatusUnauthorized, "AcessoNegado", "Não autorizado.", "Token de acesso ausente, inválido ou expirado.", nil)
			return
		}
		if !slices.Contains(it.scopes, scope) {
			problem(w, http.StatusForbidden, "AcessoNegado", "Acesso negado.", "O token não tem o escopo "+scope+".", nil)
			return
		}
		h(w, r)
	}
}

func injected(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="token expired"`)
		problem(w, status, "AcessoNegado", "Não autorizado.", "Token de acesso expirado.", nil)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
		problem(w, status, "ServicoIndisponivel", "Serviço indisponível.", "Serviço em manutenção. Tente novamente em instantes.", nil)
	default:
		problem(w, status, "ErroInjetado", http.StatusText(status), "Falha injetada pelo teste.", nil)
	}
}

// --- charges -------------------------------------------------------------

type violacao struct {
	Razao       string `json:"razao"`
	Propriedade string `json:"propriedade"`
	Valor       string `json:"valor,omitempty"`
}

func (s *Server) putCharge(kind string) http.HandlerFunc {
	errType, title := "CobOperacaoInvalida", "Cobrança inválida."
	if kind == "cobv" {
		errType = "CobVOperacaoInvalida"
	}
	const detail = "A requisição que busca criar uma cobrança não respeita o schema ou está semanticamente errada."
	return func(w http.ResponseWriter, r *http.Request) {
		txid := r.PathValue("txid")
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			problem(w, http.StatusBadRequest, errType, title, "Corpo ilegível.", nil)
			return
		}
		v := &validator{}
		if !validTxID(txid) {
			v.bad("txid", "txid deve ter de 26 a 35 caracteres alfanuméricos", txid)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil || doc == nil || dec.More() {
			v.bad("", "o corpo deve ser um objeto JSON", "")
			problem(w, http.StatusBadRequest, errType, title, detail, v.vs)
			return
		}
		var valor payments.Cents
		if kind == "cob" {
			valor = v.cob(doc)
		} else {
			valor = v.cobv(doc)
		}
		if len(v.vs) > 0 {
			problem(w, http.StatusBadRequest, errType, title, detail, v.vs)
			return
		}

		s.mu.Lock()
		defer s.mu.Unlock()
		if _, used := s.charges[txid]; used {
			problem(w, http.StatusBadRequest, errType, title, "Já existe uma cobrança com este txid.",
				[]violacao{{Razao: "txid já utilizado", Propriedade: "txid", Valor: txid}})
			return
		}
		now := s.cfg.Now().UTC()
		s.seq++
		location := s.cfg.LocationPrefix + randomHex(16)
		cal, _ := doc["calendario"].(map[string]any)
		if cal == nil {
			cal = map[string]any{}
		}
		cal["criacao"] = now.Format(time.RFC3339)
		if kind == "cob" {
			if _, ok := cal["expiracao"]; !ok {
				cal["expiracao"] = 86400
			}
		} else if _, ok := cal["validadeAposVencimento"]; !ok {
			cal["validadeAposVencimento"] = 30
		}
		doc["calendario"] = cal
		doc["txid"] = txid
		doc["revisao"] = 0
		doc["loc"] = map[string]any{"id": s.seq, "location": location, "tipoCob": kind, "criacao": now.Format(time.RFC3339)}
		doc["location"] = location
		c := &charge{
			Charge: Charge{
				Kind:          kind,
				TxID:          txid,
				Status:        "ATIVA",
				Valor:         valor,
				Location:      location,
				PixCopiaECola: dynamicBRCode(location, s.cfg.MerchantName, s.cfg.MerchantCity, valor),
				Criacao:       now,
				Request:       json.RawMessage(raw),
			},
			doc: doc,
		}
		doc["pixCopiaECola"] = c.PixCopiaECola
		s.charges[txid] = c
		s.order = append(s.order, txid)
		writeJSON(w, http.StatusCreated, c.representation())
	}
}

func (c *charge) representation() map[string]any {
	out := make(map[string]any, len(c.doc)+1)
	for k, v := range c.doc {
		out[k] = v
	}
	out["status"] = c.Status
	return out
}

func (s *Server) getCharge(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c, ok := s.charges[r.PathValue("txid")]
		if !ok || c.Kind != kind {
			problem(w, http.StatusNotFound, "CobNaoEncontrado", "Cobrança não encontrada.", "Nenhuma cobrança com este txid.", nil)
			return
		}
		writeJSON(w, http.StatusOK, c.representation())
	}
}

// --- received Pix --------------------------------------------------------

func (s *Server) listPix(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &validator{}
	inicio, err := time.Parse(time.RFC3339Nano, q.Get("inicio"))
	if err != nil {
		v.bad("inicio", "inicio é obrigatório, no formato RFC 3339", q.Get("inicio"))
	}
	fim, err := time.Parse(time.RFC3339Nano, q.Get("fim"))
	if err != nil {
		v.bad("fim", "fim é obrigatório, no formato RFC 3339", q.Get("fim"))
	}
	if len(v.vs) == 0 && fim.Before(inicio) {
		v.bad("fim", "fim deve ser posterior a inicio", q.Get("fim"))
	}
	page := queryInt(v, q.Get("paginacao.paginaAtual"), "paginacao.paginaAtual", 0, 0, 1<<30)
	size := queryInt(v, q.Get("paginacao.itensPorPagina"), "paginacao.itensPorPagina", s.cfg.PageSize, 1, 1000)
	if len(v.vs) > 0 {
		problem(w, http.StatusBadRequest, "ConsultaPixInvalida", "Consulta inválida.", "Os parâmetros da consulta não respeitam o schema.", v.vs)
		return
	}
	txid, byTxID := q.Get("txid"), q.Has("txid")

	s.mu.Lock()
	var hits []Payment
	for _, p := range s.payments {
		if p.Horario.Before(inicio) || p.Horario.After(fim) || (byTxID && p.TxID != txid) {
			continue
		}
		hits = append(hits, p)
	}
	s.mu.Unlock()
	slices.SortStableFunc(hits, func(a, b Payment) int { return a.Horario.Compare(b.Horario) })

	pages := (len(hits) + size - 1) / size
	items := []map[string]any{}
	for i := page * size; i < len(hits) && i < (page+1)*size; i++ {
		p := hits[i]
		item := map[string]any{
			"endToEndId": p.EndToEndID,
			"valor":      p.Valor.Decimal(),
			"horario":    p.Horario.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		}
		if p.TxID != "" {
			item["txid"] = p.TxID
		}
		if p.InfoPagador != "" {
			item["infoPagador"] = p.InfoPagador
		}
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"parametros": map[string]any{
			"inicio": q.Get("inicio"),
			"fim":    q.Get("fim"),
			"paginacao": map[string]int{
				"paginaAtual":            page,
				"itensPorPagina":         size,
				"quantidadeDePaginas":    pages,
				"quantidadeTotalDeItens": len(hits),
			},
		},
		"pix": items,
	})
}

func queryInt(v *validator, s, name string, def, lo, hi int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		v.bad(name, fmt.Sprintf("%s deve ser um inteiro entre %d e %d", name, lo, hi), s)
		return def
	}
	return n
}

// --- plumbing ------------------------------------------------------------

const problemBase = "https://pix.bcb.gov.br/api/v2/error/"

func problem(w http.ResponseWriter, status int, typ, title, detail string, vs []violacao) {
	body := map[string]any{"type": problemBase + typ, "title": title, "status": status, "detail": detail}
	if len(vs) > 0 {
		body["violacoes"] = vs
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
