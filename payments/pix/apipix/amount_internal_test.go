package apipix

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/regua/regua/payments"
)

func TestParseValor(t *testing.T) {
	t.Parallel()
	good := map[string]payments.Cents{
		"0": 0, "0.00": 0, "1": 100, "1.5": 150, "1.05": 105, "12.34": 1234,
		"0001.00": 100, "9999999999.99": 999999999999,
	}
	for s, want := range good {
		if got, err := parseValor(s); err != nil || got != want {
			t.Errorf("parseValor(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1", "1.234", "1,00", "1.", ".5", "1.2.3", "1e3", " 1", "12345678901", "+1", "R$1"} {
		if got, err := parseValor(s); err == nil {
			t.Errorf("parseValor(%q) = %d, want an error", s, got)
		}
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	for bp, want := range map[int64]string{200: "2.00", 100: "1.00", 1: "0.01", 33: "0.33", 150: "1.50", 10000: "100.00"} {
		if got := percent(bp); got != want {
			t.Errorf("percent(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestResponseError(t *testing.T) {
	t.Parallel()
	answer := func(status int, contentType, body string) *http.Response {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
	}
	tests := []struct {
		name string
		resp *http.Response
		want Error
		msg  string
	}{
		{
			name: "problem+json",
			resp: answer(400, "application/problem+json", `{"type":"https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida",
				"title":"Cobrança inválida.","status":400,"detail":"A requisição não respeita o schema.",
				"violacoes":[{"razao":"valor.original não respeita o schema.","propriedade":"cob.valor.original","valor":"1.0"}]}`),
			want: Error{Op: "put cob", Status: 400, Type: "https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida",
				Title: "Cobrança inválida.", Detail: "A requisição não respeita o schema.",
				Violacoes: []Violacao{{Razao: "valor.original não respeita o schema.", Propriedade: "cob.valor.original", Valor: "1.0"}}},
			msg: "apipix: put cob: 400 Cobrança inválida: A requisição não respeita o schema. [cob.valor.original: valor.original não respeita o schema.]",
		},
		{
			name: "OAuth2 error",
			resp: answer(401, "application/json", `{"error":"invalid_client","error_description":"bad credentials"}`),
			want: Error{Op: "put cob", Status: 401, Type: "invalid_client", Detail: "bad credentials"},
			msg:  "apipix: put cob: 401 Unauthorized (invalid_client): bad credentials",
		},
		{
			name: "JSON without content type",
			resp: answer(403, "", `{"title":"Acesso negado."}`),
			want: Error{Op: "put cob", Status: 403, Title: "Acesso negado."},
			msg:  "apipix: put cob: 403 Acesso negado",
		},
		{
			name: "HTML from a gateway",
			resp: answer(502, "text/html", "<html>\n<body>Bad   gateway</body></html>"),
			want: Error{Op: "put cob", Status: 502, Detail: "<html> <body>Bad gateway</body></html>"},
			msg:  "apipix: put cob: 502 Bad Gateway: <html> <body>Bad gateway</body></html>",
		},
		{
			name: "empty body",
			resp: answer(503, "", ""),
			want: Error{Op: "put cob", Status: 503},
			msg:  "apipix: put cob: 503 Service Unavailable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := responseError("put cob", tt.resp)
			if got.Op != tt.want.Op || got.Status != tt.want.Status || got.Type != tt.want.Type ||
				got.Title != tt.want.Title || got.Detail != tt.want.Detail || len(got.Violacoes) != len(tt.want.Violacoes) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got.Violacoes {
				if got.Violacoes[i] != tt.want.Violacoes[i] {
					t.Errorf("violacao %d = %+v", i, got.Violacoes[i])
				}
			}
			if got.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.msg)
			}
		})
	}
	long := responseError("x", answer(500, "text/plain", strings.Repeat("é", 500)))
	if len(long.Detail) > 210 {
		t.Errorf("long body kept whole: %d bytes", len(long.Detail))
	}
}

func TestExpiresIn(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]int64{`3600`: 3600, `"3600"`: 3600, ``: 0, `null`: 0} {
		if got, err := expiresIn([]byte(raw)); err != nil || got != want {
			t.Errorf("expiresIn(%s) = %d, %v", raw, got, err)
		}
	}
	for _, raw := range []string{`-1`, `"soon"`, `1.5`} {
		if _, err := expiresIn([]byte(raw)); err == nil {
			t.Errorf("expiresIn(%s) accepted", raw)
		}
	}
}
