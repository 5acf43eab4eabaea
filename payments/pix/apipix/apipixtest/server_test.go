package apipixtest_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

func TestNewEndToEndID(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 5, 59, 0, time.FixedZone("BRT", -3*3600))
	got := apipixtest.NewEndToEndID("18236120", at, 42)
	if want := "E18236120202611231305" + "00000000042"; got != want {
		t.Fatalf("NewEndToEndID = %q, want %q", got, want)
	}
	if got := apipixtest.NewEndToEndID("18236120", at, -123_456_789_012_345); len(got) != 32 {
		t.Fatalf("large negative seq gave %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("a 7-digit ISPB did not panic")
		}
	}()
	apipixtest.NewEndToEndID("1823612", at, 1)
}

// rawClient talks to the fake without apipix, to test the fake itself.
type rawClient struct {
	t   *testing.T
	srv *apipixtest.Server
	hc  *http.Client
}

func newRaw(t *testing.T, cfg apipixtest.Config) *rawClient {
	srv := apipixtest.NewServer(t, cfg)
	cert := srv.ClientCertificate()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		Certificates: []tls.Certificate{cert}, RootCAs: srv.CAPool(),
	}}}
	t.Cleanup(hc.CloseIdleConnections)
	return &rawClient{t: t, srv: srv, hc: hc}
}

func (c *rawClient) do(method, path, auth, contentType, body string) (int, http.Header, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			c.t.Fatalf("%s %s answered non-JSON %q", method, path, data)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func (c *rawClient) token(form url.Values) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.SetBasicAuth(c.srv.ClientID, c.srv.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (c *rawClient) bearer(scope string) string {
	c.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	status, out := c.token(form)
	if status != 200 {
		c.t.Fatalf("token: %d %v", status, out)
	}
	return "Bearer " + out["access_token"].(string)
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	c := newRaw(t, apipixtest.Config{TokenTTL: 10 * time.Minute})

	status, out := c.token(url.Values{"grant_type": {"client_credentials"}, "scope": {"cob.write pix.read"}})
	if status != 200 || out["token_type"] != "Bearer" || out["expires_in"] != float64(600) || out["scope"] != "cob.write pix.read" || out["access_token"] == "" {
		t.Errorf("token = %d %v", status, out)
	}
	if status, out := c.token(url.Values{"grant_type": {"password"}}); status != 400 || out["error"] != "unsupported_grant_type" {
		t.Errorf("password grant = %d %v", status, out)
	}
	if status, out := c.token(url.Values{"grant_type": {"client_credentials"}, "scope": {"cob.write webhook.write"}}); status != 400 || out["error"] != "invalid_scope" {
		t.Errorf("unknown scope = %d %v", status, out)
	}
	status, h, body := c.do(http.MethodPost, "/oauth/token", "", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if status != 401 || body["error"] != "invalid_client" || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no credentials = %d %v", status, body)
	}
	if n := c.srv.TokenRequests(); n != 4 {
		t.Errorf("TokenRequests = %d, want 4", n)
	}
}

func TestBearerAndScopes(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newRaw(t, apipixtest.Config{Now: clock, TokenTTL: time.Hour})
	const list = "/pix?inicio=2026-11-01T00:00:00Z&fim=2026-11-02T00:00:00Z"

	if status, h, body := c.do(http.MethodGet, list, "", "", ""); status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") ||
		h.Get("Content-Type") != "application/problem+json" || body["status"] != float64(401) {
		t.Errorf("no token = %d %v %v", status, h, body)
	}
	if status, _, _ := c.do(http.MethodGet, list, "Bearer made-up", "", ""); status != 401 {
		t.Errorf("unknown token = %d", status)
	}
	onlyCob := c.bearer("cob.write")
	if status, _, body := c.do(http.MethodGet, list, onlyCob, "", ""); status != 403 || !strings.HasSuffix(body["type"].(string), "/AcessoNegado") {
		t.Errorf("missing scope = %d %v", status, body)
	}
	all := c.bearer("")
	if status, _, _ := c.do(http.MethodGet, list, all, "", ""); status != 200 {
		t.Errorf("good token = %d", status)
	}
	c.srv.FailNext(1, 503)
	if status, _, body := c.do(http.MethodGet, list, all, "", ""); status != 503 || body["title"] != "Serviço indisponível." {
		t.Errorf("injected 503 = %d %v", status, body)
	}
	if status, _, _ := c.do(http.MethodGet, list, all, "", ""); status != 200 {
		t.Errorf("after the injected failure = %d", status)
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if status, _, _ := c.do(http.MethodGet, list, all, "", ""); status != 401 {
		t.Errorf("expired token = %d", status)
	}
	fresh := c.bearer("")
	c.srv.ExpireTokens()
	if status, _, _ := c.do(http.MethodGet, list, fresh, "", ""); status != 401 {
		t.Errorf("revoked token = %d", status)
	}
}

func violations(body map[string]any) []string {
	var out []string
	vs, _ := body["violacoes"].([]any)
	for _, v := range vs {
		out = append(out, v.(map[string]any)["propriedade"].(string))
	}
	return out
}

func TestChargeValidation(t *testing.T) {
	t.Parallel()
	c := newRaw(t, apipixtest.Config{})
	auth := c.bearer("")
	const id = "regua0000000000000000000001"
	tests := []struct {
		name, path, body string
		props            []string
	}{
		{"bad txid and body", "/cob/short", `{"valor": {"original": "1.00"}, "chave": "k"}`, []string{"txid"}},
		{"not JSON", "/cob/" + id, `valor=1`, []string{""}},
		{"everything wrong", "/cob/" + id, `{"calendario": {"expiracao": -1}, "devedor": {"cpf": "123", "cnpj": "1"},
			"valor": {"original": "1.5"}, "solicitacaoPagador": 7}`,
			[]string{"calendario.expiracao", "devedor", "devedor.nome", "valor.original", "chave", "solicitacaoPagador"}},
		{"zero amount", "/cob/" + id, `{"valor": {"original": "0.00"}, "chave": "k"}`, []string{"valor.original"}},
		{"amount as a number", "/cob/" + id, `{"valor": {"original": 1.00}, "chave": "k"}`, []string{"valor.original"}},
		{"bad cpf", "/cob/" + id, `{"devedor": {"cpf": "52998224724", "nome": "M"}, "valor": {"original": "1.00"}, "chave": "k"}`, []string{"devedor.cpf"}},
		{"cobv without due date nor debtor", "/cobv/" + id, `{"valor": {"original": "1.00"}, "chave": "k"}`,
			[]string{"calendario", "devedor"}},
		{"cobv bad rates", "/cobv/" + id, `{"calendario": {"dataDeVencimento": "2026-12-10"},
			"devedor": {"cnpj": "11222333000181", "nome": "P"}, "valor": {"original": "10.00",
			"multa": {"modalidade": 3, "valorPerc": "2"}, "juros": {"valorPerc": "1.00"},
			"desconto": {"modalidade": 1, "descontoDataFixa": [{"data": "2026-12-11", "valorPerc": "1.00"}]}}, "chave": "k"}`,
			[]string{"valor.multa.modalidade", "valor.multa.valorPerc", "valor.juros.modalidade", "valor.desconto.descontoDataFixa[0].data"}},
		{"cobv bad date", "/cobv/" + id, `{"calendario": {"dataDeVencimento": "10/12/2026"},
			"devedor": {"cpf": "52998224725", "nome": "M"}, "valor": {"original": "10.00"}, "chave": "k"}`,
			[]string{"calendario.dataDeVencimento"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := c.do(http.MethodPut, tt.path, auth, "application/json", tt.body)
			if status != 400 {
				t.Fatalf("status = %d, body %v", status, body)
			}
			got := violations(body)
			if strings.Join(got, ",") != strings.Join(tt.props, ",") {
				t.Errorf("violacoes = %q, want %q (%v)", got, tt.props, body["violacoes"])
			}
		})
	}
	if n := len(c.srv.Charges()); n != 0 {
		t.Fatalf("%d charges created from bad bodies", n)
	}
}

func TestChargeLifecycle(t *testing.T) {
	t.Parallel()
	c := newRaw(t, apipixtest.Config{MerchantName: "LOJA", MerchantCity: "RECIFE"})
	auth := c.bearer("")
	const id = "regua0000000000000000000002"
	status, _, body := c.do(http.MethodPut, "/cob/"+id, auth, "application/json", `{"valor": {"original": "10.00"}, "chave": "k"}`)
	if status != 201 || body["status"] != "ATIVA" || body["txid"] != id || body["revisao"] != float64(0) {
		t.Fatalf("PUT = %d %v", status, body)
	}
	cal := body["calendario"].(map[string]any)
	if cal["expiracao"] != float64(86400) || cal["criacao"] == "" {
		t.Errorf("calendario = %v", cal)
	}
	ch, ok := c.srv.Charge(id)
	if !ok || ch.Valor != 1000 || ch.Kind != "cob" || body["pixCopiaECola"] != ch.PixCopiaECola || body["location"] != ch.Location ||
		!strings.Contains(ch.PixCopiaECola, "5904LOJA6006RECIFE") {
		t.Errorf("charge = %+v", ch)
	}
	if status, _, _ := c.do(http.MethodGet, "/cobv/"+id, auth, "", ""); status != 404 {
		t.Errorf("GET as cobv = %d, want 404", status)
	}
	p := c.srv.Pay(id, 1000, "", time.Time{})
	if len(p.EndToEndID) != 32 || p.Horario.IsZero() {
		t.Errorf("payment = %+v", p)
	}
	if status, _, body := c.do(http.MethodGet, "/cob/"+id, auth, "", ""); status != 200 || body["status"] != "CONCLUIDA" {
		t.Errorf("GET after payment = %d %v", status, body)
	}
	if status, _, _ := c.do(http.MethodGet, "/nothing", auth, "", ""); status != 404 {
		t.Errorf("unknown path = %d", status)
	}
}

func TestListPixQuery(t *testing.T) {
	t.Parallel()
	c := newRaw(t, apipixtest.Config{PageSize: 2})
	auth := c.bearer("")
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		c.srv.Pay("regua000000000000000000000"+string(rune('a'+i)), 100, "", at.Add(time.Duration(i)*time.Minute))
	}
	status, _, body := c.do(http.MethodGet, "/pix?inicio=2026-11-01T00:00:00Z&fim=2026-11-02T00:00:00Z&paginacao.paginaAtual=1", auth, "", "")
	pag := body["parametros"].(map[string]any)["paginacao"].(map[string]any)
	if status != 200 || pag["paginaAtual"] != float64(1) || pag["itensPorPagina"] != float64(2) ||
		pag["quantidadeDePaginas"] != float64(2) || pag["quantidadeTotalDeItens"] != float64(3) || len(body["pix"].([]any)) != 1 {
		t.Errorf("page 1 = %d %v", status, body)
	}
	status, _, body = c.do(http.MethodGet, "/pix?inicio=2026-11-01T00:00:00Z&fim=2026-11-02T00:00:00Z&txid=regua000000000000000000000b", auth, "", "")
	if pix := body["pix"].([]any); status != 200 || len(pix) != 1 || pix[0].(map[string]any)["valor"] != "1.00" {
		t.Errorf("by txid = %d %v", status, body)
	}
	for _, q := range []string{
		"",
		"?inicio=2026-11-01&fim=2026-11-02T00:00:00Z",
		"?inicio=2026-11-02T00:00:00Z&fim=2026-11-01T00:00:00Z",
		"?inicio=2026-11-01T00:00:00Z&fim=2026-11-02T00:00:00Z&paginacao.itensPorPagina=1001",
		"?inicio=2026-11-01T00:00:00Z&fim=2026-11-02T00:00:00Z&paginacao.paginaAtual=-1",
	} {
		if status, _, body := c.do(http.MethodGet, "/pix"+q, auth, "", ""); status != 400 || len(violations(body)) == 0 {
			t.Errorf("GET /pix%s = %d %v", q, status, body)
		}
	}
}
