package apipix_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

// clock is a settable clock shared by the client and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	srv    *apipixtest.Server
	client *apipix.Client
	clock  *clock
}

var start = time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)

// setup starts a fake provider and a client configured for it; edit
// changes the client's configuration before it is built.
func setup(t *testing.T, srvCfg apipixtest.Config, edit func(*apipix.Config)) fixture {
	t.Helper()
	clk := &clock{t: start}
	if srvCfg.Now == nil {
		srvCfg.Now = clk.Now
	}
	srv := apipixtest.NewServer(t, srvCfg)
	cert := srv.ClientCertificate()
	cfg := apipix.Config{
		BaseURL:      srv.URL,
		ClientID:     srv.ClientID,
		ClientSecret: srv.ClientSecret,
		Certificate:  &cert,
		RootCAs:      srv.CAPool(),
		Now:          clk.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := apipix.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return fixture{srv: srv, client: c, clock: clk}
}

func txid(n int) string { return fmt.Sprintf("regua%022d", n) }

const (
	cpf  = "52998224725"
	cnpj = "11222333000181"
	key  = "cobranca@regua.example"
)

func cobRequest() apipix.CobRequest {
	return apipix.CobRequest{Valor: 12345, Chave: key, SolicitacaoPagador: "Fatura 42"}
}

func asError(t *testing.T, err error) *apipix.Error {
	t.Helper()
	var e *apipix.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *apipix.Error", err, err)
	}
	return e
}

func countPath(reqs []apipixtest.Request, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Path == path {
			n++
		}
	}
	return n
}

func TestTokenCachedRenewedAndRefreshedOn401(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{TokenTTL: time.Hour}, nil)
	ctx := t.Context()

	for i := range 3 {
		if _, err := f.client.PutCob(ctx, txid(i), cobRequest()); err != nil {
			t.Fatalf("PutCob %d: %v", i, err)
		}
	}
	if n := f.srv.TokenRequests(); n != 1 {
		t.Fatalf("token requests after 3 calls = %d, want 1 (cached)", n)
	}

	// Shortly before expiry the client renews on its own, without a 401.
	f.clock.Add(59 * time.Minute)
	if _, err := f.client.PutCob(ctx, txid(3), cobRequest()); err != nil {
		t.Fatalf("PutCob near expiry: %v", err)
	}
	if n := f.srv.TokenRequests(); n != 2 {
		t.Fatalf("token requests near expiry = %d, want 2", n)
	}
	for _, r := range f.srv.Requests() {
		if r.Status == 401 {
			t.Fatalf("a request was refused with 401 before renewal: %+v", r)
		}
	}

	// The provider revokes the token early: one 401, one new token, success.
	f.srv.ExpireTokens()
	if _, err := f.client.PutCob(ctx, txid(4), cobRequest()); err != nil {
		t.Fatalf("PutCob after revocation: %v", err)
	}
	if n := f.srv.TokenRequests(); n != 3 {
		t.Fatalf("token requests after revocation = %d, want 3", n)
	}
	if got := len(f.srv.Charges()); got != 5 {
		t.Fatalf("charges = %d, want 5", got)
	}

	// A second 401 in a row is not retried again.
	f.srv.FailNext(2, 401)
	_, err := f.client.PutCob(ctx, txid(5), cobRequest())
	e := asError(t, err)
	if e.Status != 401 || e.Op != "put cob" {
		t.Fatalf("error = %+v, want put cob 401", e)
	}
	if n := f.srv.TokenRequests(); n != 4 {
		t.Fatalf("token requests after double 401 = %d, want 4 (refreshed once)", n)
	}
	if n := countPath(f.srv.Requests(), "/cob/"+txid(5)); n != 2 {
		t.Fatalf("attempts at the charge = %d, want 2", n)
	}
}

func TestTokenSharedByConcurrentCalls(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			if _, err := f.client.PutCob(t.Context(), txid(100+i), cobRequest()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.srv.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
	if n := len(f.srv.Charges()); n != 20 {
		t.Errorf("charges = %d, want 20", n)
	}
}

func TestWrongClientSecret(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, func(c *apipix.Config) { c.ClientSecret = "not-the-secret" })
	_, err := f.client.PutCob(t.Context(), txid(1), cobRequest())
	e := asError(t, err)
	if e.Op != "token" || e.Status != 401 || e.Type != "invalid_client" {
		t.Fatalf("error = %+v, want token 401 invalid_client", e)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("error message leaks the secret: %v", err)
	}
	for _, r := range f.srv.Requests() {
		if r.Path != "/oauth/token" {
			t.Fatalf("request %+v reached the API without a token", r)
		}
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestPutCobRoundTrip(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, nil)
	ctx := t.Context()
	id := txid(7)
	req := apipix.CobRequest{
		Expiracao:          time.Hour,
		Devedor:            &apipix.Devedor{CPF: "529.982.247-25", Nome: "Maria da Silva"},
		Valor:              12345,
		Chave:              key,
		SolicitacaoPagador: "Fatura 42 - novembro",
		InfoAdicionais:     []apipix.InfoAdicional{{Nome: "Contrato", Valor: "C-1001"}},
	}
	cob, err := f.client.PutCob(ctx, id, req)
	if err != nil {
		t.Fatalf("PutCob: %v", err)
	}

	charges := f.srv.Charges()
	if len(charges) != 1 {
		t.Fatalf("charges = %d, want 1", len(charges))
	}
	got := decode(t, charges[0].Request)
	want := decode(t, []byte(`{
		"calendario": {"expiracao": 3600},
		"devedor": {"cpf": "52998224725", "nome": "Maria da Silva"},
		"valor": {"original": "123.45"},
		"chave": "cobranca@regua.example",
		"solicitacaoPagador": "Fatura 42 - novembro",
		"infoAdicionais": [{"nome": "Contrato", "valor": "C-1001"}]
	}`))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("server received\n%s\nwant\n%v", charges[0].Request, want)
	}

	ch := charges[0]
	if cob.TxID != id || cob.Status != apipix.StatusAtiva || cob.Valor != 12345 || cob.Revisao != 0 {
		t.Errorf("cob = %+v", cob)
	}
	if cob.Location == "" || cob.Location != ch.Location {
		t.Errorf("location = %q, server has %q", cob.Location, ch.Location)
	}
	if cob.PixCopiaECola != ch.PixCopiaECola || !strings.HasPrefix(cob.PixCopiaECola, "000201010212") ||
		!strings.Contains(cob.PixCopiaECola, cob.Location) {
		t.Errorf("pixCopiaECola = %q", cob.PixCopiaECola)
	}
	if cob.Expiracao != time.Hour || !cob.Criacao.Equal(start) {
		t.Errorf("calendario: expiracao %v criacao %v", cob.Expiracao, cob.Criacao)
	}
	if cob.Devedor == nil || cob.Devedor.CPF != cpf || cob.Chave != key || cob.SolicitacaoPagador != req.SolicitacaoPagador {
		t.Errorf("cob echo = %+v devedor %+v", cob, cob.Devedor)
	}

	// Paying it shows on the next read.
	f.srv.Pay(id, 12345, "", f.clock.Now().Add(time.Minute))
	again, err := f.client.GetCob(ctx, id)
	if err != nil {
		t.Fatalf("GetCob: %v", err)
	}
	if again.Status != apipix.StatusConcluida || again.PixCopiaECola != cob.PixCopiaECola {
		t.Errorf("after payment: %+v", again)
	}
}

func TestPutCobDefaults(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, nil)
	cob, err := f.client.PutCob(t.Context(), txid(8), apipix.CobRequest{Valor: 1, Chave: key})
	if err != nil {
		t.Fatalf("PutCob: %v", err)
	}
	got := decode(t, f.srv.Charges()[0].Request)
	want := decode(t, []byte(`{"valor": {"original": "0.01"}, "chave": "cobranca@regua.example"}`))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("server received %s", f.srv.Charges()[0].Request)
	}
	if cob.Expiracao != 24*time.Hour || cob.Devedor != nil {
		t.Errorf("cob = %+v", cob)
	}
}

func TestPutCobVRoundTrip(t *testing.T) {
	t.Parallel()
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	// 23:30 in São Paulo is already the next day in UTC: the due date is
	// the calendar day where the caller says it is.
	due := time.Date(2026, 12, 10, 23, 30, 0, 0, sp)

	tests := []struct {
		name  string
		req   func(*apipix.CobVRequest)
		valor string // the expected "valor" object
	}{
		{
			name:  "legal defaults",
			req:   func(r *apipix.CobVRequest) { r.MultaBP, r.JurosMensalBP = 200, 100 },
			valor: `{"original": "1500.00", "multa": {"modalidade": 2, "valorPerc": "2.00"}, "juros": {"modalidade": 3, "valorPerc": "1.00"}}`,
		},
		{
			name:  "fractional rates",
			req:   func(r *apipix.CobVRequest) { r.MultaBP, r.JurosMensalBP = 150, 33 },
			valor: `{"original": "1500.00", "multa": {"modalidade": 2, "valorPerc": "1.50"}, "juros": {"modalidade": 3, "valorPerc": "0.33"}}`,
		},
		{
			name:  "small and large",
			req:   func(r *apipix.CobVRequest) { r.MultaBP, r.JurosMensalBP = 1000, 5 },
			valor: `{"original": "1500.00", "multa": {"modalidade": 2, "valorPerc": "10.00"}, "juros": {"modalidade": 3, "valorPerc": "0.05"}}`,
		},
		{
			name:  "no fine nor interest",
			req:   func(r *apipix.CobVRequest) {},
			valor: `{"original": "1500.00"}`,
		},
		{
			name: "discounts and rebate",
			req: func(r *apipix.CobVRequest) {
				r.MultaBP, r.JurosMensalBP = 200, 100
				r.Descontos = []apipix.Desconto{
					{Ate: time.Date(2026, 11, 30, 12, 0, 0, 0, sp), Valor: 10000},
					{Ate: due, Valor: 5050},
				}
				r.Abatimento = 2500
			},
			valor: `{"original": "1500.00",
				"multa": {"modalidade": 2, "valorPerc": "2.00"},
				"juros": {"modalidade": 3, "valorPerc": "1.00"},
				"abatimento": {"modalidade": 1, "valorPerc": "25.00"},
				"desconto": {"modalidade": 1, "descontoDataFixa": [
					{"data": "2026-11-30", "valorPerc": "100.00"},
					{"data": "2026-12-10", "valorPerc": "50.50"}]}}`,
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, apipixtest.Config{}, nil)
			req := apipix.CobVRequest{
				Vencimento:             due,
				ValidadeAposVencimento: 60,
				Devedor:                apipix.Devedor{CNPJ: "11.222.333/0001-81", Nome: "Padaria Pão Quente Ltda"},
				Valor:                  150000,
				Chave:                  key,
				SolicitacaoPagador:     "Mensalidade dezembro",
			}
			tt.req(&req)
			id := txid(200 + i)
			cobv, err := f.client.PutCobV(t.Context(), id, req)
			if err != nil {
				t.Fatalf("PutCobV: %v", err)
			}
			got := decode(t, f.srv.Charges()[0].Request)
			want := decode(t, []byte(`{
				"calendario": {"dataDeVencimento": "2026-12-10", "validadeAposVencimento": 60},
				"devedor": {"cnpj": "11222333000181", "nome": "Padaria Pão Quente Ltda"},
				"valor": `+tt.valor+`,
				"chave": "cobranca@regua.example",
				"solicitacaoPagador": "Mensalidade dezembro"
			}`))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("server received\n%s\nwant\n%v", f.srv.Charges()[0].Request, want)
			}
			if cobv.TxID != id || cobv.Status != apipix.StatusAtiva || cobv.Valor != 150000 ||
				!cobv.Vencimento.Equal(time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)) ||
				cobv.ValidadeAposVencimento != 60 || cobv.Devedor.CNPJ != cnpj ||
				cobv.PixCopiaECola == "" || cobv.Location == "" {
				t.Errorf("cobv = %+v", cobv)
			}
			if f.srv.Charges()[0].Kind != "cobv" {
				t.Errorf("kind = %q", f.srv.Charges()[0].Kind)
			}
			back, err := f.client.GetCobV(t.Context(), id)
			if err != nil || back.PixCopiaECola != cobv.PixCopiaECola {
				t.Errorf("GetCobV = %+v, %v", back, err)
			}
		})
	}
}

func TestPutCobVDefaultValidity(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, nil)
	cobv, err := f.client.PutCobV(t.Context(), txid(300), apipix.CobVRequest{
		Vencimento: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC),
		Devedor:    apipix.Devedor{CPF: cpf, Nome: "Maria"},
		Valor:      5000,
		Chave:      key,
	})
	if err != nil {
		t.Fatalf("PutCobV: %v", err)
	}
	if strings.Contains(string(f.srv.Charges()[0].Request), "validadeAposVencimento") {
		t.Errorf("sent validadeAposVencimento though unset: %s", f.srv.Charges()[0].Request)
	}
	if cobv.ValidadeAposVencimento != 30 {
		t.Errorf("validadeAposVencimento = %d, want the provider's 30", cobv.ValidadeAposVencimento)
	}
}

func TestClientRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, nil)
	due := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	cobv := func(edit func(*apipix.CobVRequest)) apipix.CobVRequest {
		r := apipix.CobVRequest{Vencimento: due, Devedor: apipix.Devedor{CPF: cpf, Nome: "Maria"}, Valor: 10000, Chave: key}
		edit(&r)
		return r
	}
	cob := func(edit func(*apipix.CobRequest)) apipix.CobRequest {
		r := cobRequest()
		edit(&r)
		return r
	}
	putCob := func(id string, r apipix.CobRequest) func() error {
		return func() error { _, err := f.client.PutCob(t.Context(), id, r); return err }
	}
	putCobV := func(r apipix.CobVRequest) func() error {
		return func() error { _, err := f.client.PutCobV(t.Context(), txid(1), r); return err }
	}
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"txid too short", putCob(strings.Repeat("a", 25), cobRequest()), "txid"},
		{"txid too long", putCob(strings.Repeat("a", 36), cobRequest()), "txid"},
		{"txid with a dash", putCob("regua-000000000000000000001", cobRequest()), "txid"},
		{"txid with an accent", putCob("cobrançaaaaaaaaaaaaaaaaaaaaa", cobRequest()), "txid"},
		{"zero amount", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Valor = 0 })), "valor.original"},
		{"negative amount", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Valor = -100 })), "valor.original"},
		{"amount beyond the API", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Valor = 100_000_000_000_00 })), "valor.original"},
		{"no key", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Chave = "" })), "chave"},
		{"long payer text", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.SolicitacaoPagador = strings.Repeat("á", 141) })), "solicitacaoPagador"},
		{"sub-second expiry", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Expiracao = time.Millisecond })), "calendario.expiracao"},
		{"cpf and cnpj", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Devedor = &apipix.Devedor{CPF: cpf, CNPJ: cnpj, Nome: "X"} })), "devedor"},
		{"bad cpf", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Devedor = &apipix.Devedor{CPF: "52998224724", Nome: "X"} })), "devedor.cpf"},
		{"cnpj in the cpf field", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Devedor = &apipix.Devedor{CPF: cnpj, Nome: "X"} })), "devedor.cpf"},
		{"debtor without name", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.Devedor = &apipix.Devedor{CPF: cpf} })), "devedor.nome"},
		{"empty extra info", putCob(txid(1), cob(func(r *apipix.CobRequest) { r.InfoAdicionais = []apipix.InfoAdicional{{Nome: "a"}} })), "infoAdicionais[0].valor"},
		{"cobv without due date", putCobV(cobv(func(r *apipix.CobVRequest) { r.Vencimento = time.Time{} })), "calendario.dataDeVencimento"},
		{"cobv without debtor", putCobV(cobv(func(r *apipix.CobVRequest) { r.Devedor = apipix.Devedor{} })), "devedor"},
		{"cobv negative validity", putCobV(cobv(func(r *apipix.CobVRequest) { r.ValidadeAposVencimento = -1 })), "calendario.validadeAposVencimento"},
		{"negative fine", putCobV(cobv(func(r *apipix.CobVRequest) { r.MultaBP = -1 })), "valor.multa.valorPerc"},
		{"interest over 100%", putCobV(cobv(func(r *apipix.CobVRequest) { r.JurosMensalBP = 10001 })), "valor.juros.valorPerc"},
		{"rebate as large as the value", putCobV(cobv(func(r *apipix.CobVRequest) { r.Abatimento = 10000 })), "valor.abatimento.valorPerc"},
		{"discount after due date", putCobV(cobv(func(r *apipix.CobVRequest) {
			r.Descontos = []apipix.Desconto{{Ate: due.AddDate(0, 0, 1), Valor: 100}}
		})), "valor.desconto.descontoDataFixa[0].data"},
		{"discount dates not increasing", putCobV(cobv(func(r *apipix.CobVRequest) {
			r.Descontos = []apipix.Desconto{{Ate: due.AddDate(0, 0, -1), Valor: 200}, {Ate: due.AddDate(0, 0, -1), Valor: 100}}
		})), "valor.desconto.descontoDataFixa[1].data"},
		{"discount as large as the value", putCobV(cobv(func(r *apipix.CobVRequest) {
			r.Descontos = []apipix.Desconto{{Ate: due, Valor: 10000}}
		})), "valor.desconto.descontoDataFixa[0].valorPerc"},
		{"four discounts", putCobV(cobv(func(r *apipix.CobVRequest) {
			for d := range 4 {
				r.Descontos = append(r.Descontos, apipix.Desconto{Ate: due.AddDate(0, 0, d-4), Valor: 100})
			}
		})), "valor.desconto.descontoDataFixa"},
		{"get with bad txid", func() error { _, err := f.client.GetCob(t.Context(), "short"); return err }, "txid"},
		{"list with fim before inicio", func() error {
			_, err := f.client.ListPix(t.Context(), start, start.Add(-time.Hour), 0)
			return err
		}, "fim"},
		{"list with negative page", func() error {
			_, err := f.client.ListPix(t.Context(), start, start.Add(time.Hour), -1)
			return err
		}, "paginacao.paginaAtual"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("accepted")
			}
			if payments.ErrorCode(err) != payments.EINVALID || payments.ErrorField(err) != tt.field {
				t.Fatalf("error %q: code %s field %q, want invalid %q", err, payments.ErrorCode(err), payments.ErrorField(err), tt.field)
			}
			if strings.Contains(err.Error(), "52998224724") {
				t.Fatalf("error leaks the document: %v", err)
			}
		})
	}
	if reqs := f.srv.Requests(); len(reqs) != 0 {
		t.Fatalf("bad input reached the provider: %+v", reqs)
	}
}

func TestListAllPixOverPages(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, func(c *apipix.Config) { c.PageSize = 2 })
	inicio := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	fim := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)

	// Recorded out of order; two fall outside the window.
	var want []apipixtest.Payment
	for i, at := range []time.Time{
		inicio.Add(5 * time.Hour), inicio.Add(time.Hour), inicio, fim, inicio.Add(20 * time.Hour),
	} {
		id := ""
		if i%2 == 0 {
			id = txid(400 + i)
		}
		want = append(want, f.srv.Pay(id, payments.Cents(1000*(i+1)), apipixtest.NewEndToEndID("18236120", at, i), at))
	}
	f.srv.Pay(txid(499), 999, "", inicio.Add(-time.Second))
	f.srv.Pay(txid(498), 999, "", fim.Add(time.Second))

	page, err := f.client.ListPix(t.Context(), inicio, fim, 0)
	if err != nil {
		t.Fatalf("ListPix: %v", err)
	}
	if want := (apipix.Paginacao{PaginaAtual: 0, ItensPorPagina: 2, QuantidadeDePaginas: 3, QuantidadeTotalDeItens: 5}); page.Paginacao != want {
		t.Errorf("paginacao = %+v, want %+v", page.Paginacao, want)
	}
	if len(page.Pix) != 2 || page.Pix[0].EndToEndID != want[2].EndToEndID {
		t.Errorf("page 0 = %+v", page.Pix)
	}

	all, err := f.client.ListAllPix(t.Context(), inicio, fim)
	if err != nil {
		t.Fatalf("ListAllPix: %v", err)
	}
	order := []int{2, 1, 0, 4, 3}
	if len(all) != len(order) {
		t.Fatalf("got %d Pix, want %d: %+v", len(all), len(order), all)
	}
	for i, j := range order {
		w, g := want[j], all[i]
		if g.EndToEndID != w.EndToEndID || g.TxID != w.TxID || g.Valor != w.Valor || !g.Horario.Equal(w.Horario) {
			t.Errorf("pix %d = %+v, want %+v", i, g, w)
		}
	}

	var listed []apipixtest.Request
	for _, r := range f.srv.Requests() {
		if r.Path == "/pix" {
			listed = append(listed, r)
		}
	}
	if len(listed) != 4 { // page 0 alone, then pages 0, 1, 2
		t.Fatalf("GET /pix requests = %d, want 4", len(listed))
	}
	q, _ := url.ParseQuery(listed[3].Query)
	if q.Get("inicio") != "2026-11-01T03:00:00Z" || q.Get("fim") != "2026-11-02T03:00:00Z" ||
		q.Get("paginacao.paginaAtual") != "2" || q.Get("paginacao.itensPorPagina") != "2" {
		t.Errorf("query = %s", listed[3].Query)
	}
}

func TestListAllPixEmpty(t *testing.T) {
	t.Parallel()
	f := setup(t, apipixtest.Config{}, nil)
	all, err := f.client.ListAllPix(t.Context(), start.Add(-time.Hour), start)
	if err != nil || len(all) != 0 {
		t.Fatalf("ListAllPix = %v, %v", all, err)
	}
}

func TestListPixRefusesMalformedItems(t *testing.T) {
	t.Parallel()
	good := apipixtest.NewEndToEndID("18236120", start, 1)
	tests := []struct {
		name  string
		p     apipixtest.Payment
		field string
	}{
		{"bad end-to-end id", apipixtest.Payment{EndToEndID: "E1823612020261123", Valor: 100, Horario: start}, "pix[1].endToEndId"},
		{"zero amount", apipixtest.Payment{EndToEndID: good, Valor: 0, Horario: start}, "pix[1].valor"},
		{"negative amount", apipixtest.Payment{EndToEndID: good, Valor: -100, Horario: start}, "pix[1].valor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, apipixtest.Config{}, nil)
			f.srv.Pay("", 100, "", start.Add(-time.Minute))
			f.srv.AddPayment(tt.p)
			_, err := f.client.ListAllPix(t.Context(), start.Add(-time.Hour), start.Add(time.Hour))
			if payments.ErrorField(err) != tt.field {
				t.Fatalf("error %v: field %q, want %q", err, payments.ErrorField(err), tt.field)
			}
		})
	}
}

func TestProviderErrors(t *testing.T) {
	t.Parallel()

	t.Run("validation problem with violations", func(t *testing.T) {
		t.Parallel()
		f := setup(t, apipixtest.Config{}, nil)
		if _, err := f.client.PutCob(t.Context(), txid(1), cobRequest()); err != nil {
			t.Fatal(err)
		}
		_, err := f.client.PutCob(t.Context(), txid(1), cobRequest())
		e := asError(t, err)
		if e.Status != 400 || !strings.HasSuffix(e.Type, "/CobOperacaoInvalida") || e.Title == "" || e.Detail == "" ||
			len(e.Violacoes) != 1 || e.Violacoes[0].Propriedade != "txid" || e.Retryable() {
			t.Fatalf("error = %+v", e)
		}
		if !strings.Contains(err.Error(), "txid") {
			t.Errorf("message %q does not name the property", err)
		}
	})

	t.Run("unavailable", func(t *testing.T) {
		t.Parallel()
		f := setup(t, apipixtest.Config{}, nil)
		f.srv.FailNext(1, 503)
		_, err := f.client.PutCobV(t.Context(), txid(1), apipix.CobVRequest{
			Vencimento: start, Devedor: apipix.Devedor{CPF: cpf, Nome: "M"}, Valor: 100, Chave: key,
		})
		e := asError(t, err)
		if e.Status != 503 || e.Op != "put cobv" || !e.Retryable() || !strings.HasSuffix(e.Type, "/ServicoIndisponivel") {
			t.Fatalf("error = %+v", e)
		}
		// The same request goes through once the provider is back.
		if _, err := f.client.PutCobV(t.Context(), txid(1), apipix.CobVRequest{
			Vencimento: start, Devedor: apipix.Devedor{CPF: cpf, Nome: "M"}, Valor: 100, Chave: key,
		}); err != nil {
			t.Fatalf("retry: %v", err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		f := setup(t, apipixtest.Config{}, nil)
		_, err := f.client.GetCob(t.Context(), txid(9))
		if e := asError(t, err); e.Status != 404 || e.Op != "get cob" {
			t.Fatalf("error = %+v", e)
		}
	})

	t.Run("scope not granted", func(t *testing.T) {
		t.Parallel()
		f := setup(t, apipixtest.Config{}, func(c *apipix.Config) { c.Scope = "pix.read" })
		_, err := f.client.PutCob(t.Context(), txid(1), cobRequest())
		if e := asError(t, err); e.Status != 403 || !strings.HasSuffix(e.Type, "/AcessoNegado") {
			t.Fatalf("error = %+v", e)
		}
		if _, err := f.client.ListPix(t.Context(), start, start.Add(time.Hour), 0); err != nil {
			t.Fatalf("ListPix with pix.read: %v", err)
		}
	})

	t.Run("largest page size", func(t *testing.T) {
		t.Parallel()
		f := setup(t, apipixtest.Config{}, func(c *apipix.Config) { c.PageSize = 1000 })
		if _, err := f.client.ListPix(t.Context(), start, start.Add(time.Hour), 0); err != nil {
			t.Fatalf("page size 1000: %v", err)
		}
	})
}

func waitFor(t *testing.T, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()

	t.Run("no client certificate is refused in the handshake", func(t *testing.T) {
		t.Parallel()
		srv := apipixtest.NewServer(t, apipixtest.Config{})
		c, err := apipix.NewWithoutClientCert(apipix.Config{
			BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, RootCAs: srv.CAPool(),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.PutCob(t.Context(), txid(1), cobRequest())
		if err == nil {
			t.Fatal("a client without certificate was served")
		}
		var e *apipix.Error
		if errors.As(err, &e) {
			t.Fatalf("got an HTTP answer %+v; want the TLS handshake to fail", e)
		}
		if !strings.Contains(err.Error(), "tls") {
			t.Errorf("error %q does not look like a TLS failure", err)
		}
		t.Logf("client saw: %v", err)
		if !waitFor(t, func() bool { return len(srv.HandshakeErrors()) > 0 }) {
			t.Error("server logged no handshake error")
		} else {
			t.Logf("server logged: %s", srv.HandshakeErrors()[0])
		}
		if reqs := srv.Requests(); len(reqs) != 0 {
			t.Errorf("requests served: %+v", reqs)
		}
	})

	t.Run("a certificate from another CA is refused", func(t *testing.T) {
		t.Parallel()
		srv := apipixtest.NewServer(t, apipixtest.Config{})
		cert := apipixtest.UntrustedClientCertificate(t)
		c, err := apipix.New(apipix.Config{
			BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
			Certificate: &cert, RootCAs: srv.CAPool(),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.PutCob(t.Context(), txid(1), cobRequest()); err == nil {
			t.Fatal("a stranger's certificate was accepted")
		}
		if len(srv.Requests()) != 0 {
			t.Error("a request was served")
		}
	})

	t.Run("the server must be trusted", func(t *testing.T) {
		t.Parallel()
		f := setup(t, apipixtest.Config{}, func(c *apipix.Config) { c.RootCAs = nil })
		_, err := f.client.PutCob(t.Context(), txid(1), cobRequest())
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("error = %v, want an unknown authority", err)
		}
	})

	t.Run("New requires a certificate", func(t *testing.T) {
		t.Parallel()
		_, err := apipix.New(apipix.Config{BaseURL: "https://psp.example", ClientID: "a", ClientSecret: "b"})
		if err == nil {
			t.Fatal("New without a certificate succeeded")
		}
	})

	t.Run("PEM files", func(t *testing.T) {
		t.Parallel()
		srv := apipixtest.NewServer(t, apipixtest.Config{})
		certFile, keyFile := srv.WriteClientCert(t)
		c, err := apipix.New(apipix.Config{
			BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
			CertFile: certFile, KeyFile: keyFile, RootCAs: srv.CAPool(),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.PutCob(t.Context(), txid(1), cobRequest()); err != nil {
			t.Fatalf("PutCob: %v", err)
		}
		if _, err := apipix.New(apipix.Config{
			BaseURL: srv.URL, ClientID: "a", ClientSecret: "b", CertFile: certFile, KeyFile: certFile,
		}); err == nil {
			t.Error("New accepted a certificate as its own key")
		}
	})
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	srv := apipixtest.NewServer(t, apipixtest.Config{})
	cert := srv.ClientCertificate()
	base := apipix.Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", Certificate: &cert}
	for name, edit := range map[string]func(*apipix.Config){
		"http base URL":     func(c *apipix.Config) { c.BaseURL = "http://psp.example" },
		"relative base URL": func(c *apipix.Config) { c.BaseURL = "/v2" },
		"no client id":      func(c *apipix.Config) { c.ClientID = "" },
		"no secret":         func(c *apipix.Config) { c.ClientSecret = "" },
		"page size":         func(c *apipix.Config) { c.PageSize = 1001 },
	} {
		cfg := base
		edit(&cfg)
		if _, err := apipix.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
