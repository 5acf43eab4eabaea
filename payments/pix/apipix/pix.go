package apipix

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/regua/regua/payments"
)

// Pix is a received payment, from a webhook or from GET /pix. Refunds
// (devolucoes) are not modelled.
type Pix struct {
	// EndToEndID identifies the payment across the whole Pix system; it is
	// the key that makes recording a payment idempotent.
	EndToEndID string
	// TxID is the charge the payment settles; empty for a static Pix
	// without one.
	TxID string
	// Valor is the amount received; always positive.
	Valor payments.Cents
	// Horario is when the payment settled.
	Horario     time.Time
	InfoPagador string
}

// ValidEndToEndID reports whether s has the shape of a Pix endToEndId:
// 32 characters, "E", the payer institution's 8-digit ISPB, the UTC
// date and time yyyyMMddHHmm, and 11 letters or digits.
func ValidEndToEndID(s string) bool {
	if len(s) != 32 || s[0] != 'E' {
		return false
	}
	for i := 1; i < 21; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if _, err := time.Parse("200601021504", s[9:21]); err != nil {
		return false
	}
	return alnum(s[21:])
}

// Paginacao is the paging of a GET /pix answer. Pages count from 0.
type Paginacao struct {
	PaginaAtual            int `json:"paginaAtual"`
	ItensPorPagina         int `json:"itensPorPagina"`
	QuantidadeDePaginas    int `json:"quantidadeDePaginas"`
	QuantidadeTotalDeItens int `json:"quantidadeTotalDeItens"`
}

// PixPage is one page of received Pix.
type PixPage struct {
	Paginacao Paginacao
	Pix       []Pix
}

// ListPix returns page (from 0) of the Pix received between inicio and fim.
// The instants are sent in RFC 3339 to the second, widened outwards so no
// payment at the edges is lost.
func (c *Client) ListPix(ctx context.Context, inicio, fim time.Time, page int) (PixPage, error) {
	if !fim.After(inicio) {
		return PixPage{}, payments.Invalid("fim", "must be after inicio")
	}
	if page < 0 {
		return PixPage{}, payments.Invalid("paginacao.paginaAtual", "must not be negative")
	}
	q := url.Values{
		"inicio":                {inicio.UTC().Truncate(time.Second).Format(time.RFC3339)},
		"fim":                   {ceilSecond(fim.UTC()).Format(time.RFC3339)},
		"paginacao.paginaAtual": {strconv.Itoa(page)},
	}
	if c.pageSize > 0 {
		q.Set("paginacao.itensPorPagina", strconv.Itoa(c.pageSize))
	}
	var a struct {
		Parametros struct {
			Paginacao Paginacao `json:"paginacao"`
		} `json:"parametros"`
		Pix []json.RawMessage `json:"pix"`
	}
	if err := c.do(ctx, "list pix", http.MethodGet, "/pix", q, nil, &a); err != nil {
		return PixPage{}, err
	}
	p := PixPage{Paginacao: a.Parametros.Paginacao, Pix: make([]Pix, 0, len(a.Pix))}
	for i, raw := range a.Pix {
		x, err := decodePix(raw, i)
		if err != nil {
			return PixPage{}, fmt.Errorf("apipix: list pix: answer: %w", err)
		}
		p.Pix = append(p.Pix, x)
	}
	return p, nil
}

func ceilSecond(t time.Time) time.Time {
	if u := t.Truncate(time.Second); !u.Equal(t) {
		return u.Add(time.Second)
	}
	return t
}

// maxPages stops ListAllPix from following a provider that never ends.
const maxPages = 10000

// ListAllPix returns every Pix received between inicio and fim, reading
// page after page. A payment that moves between pages while they are read
// (new ones arriving) appears once.
func (c *Client) ListAllPix(ctx context.Context, inicio, fim time.Time) ([]Pix, error) {
	var all []Pix
	seen := make(map[string]bool)
	for page := 0; page < maxPages; page++ {
		p, err := c.ListPix(ctx, inicio, fim, page)
		if err != nil {
			return nil, err
		}
		for _, x := range p.Pix {
			if !seen[x.EndToEndID] {
				seen[x.EndToEndID] = true
				all = append(all, x)
			}
		}
		if len(p.Pix) == 0 || page+1 >= p.Paginacao.QuantidadeDePaginas {
			return all, nil
		}
	}
	return nil, fmt.Errorf("apipix: list pix: more than %d pages", maxPages)
}

// pixWire holds a Pix as sent, each field raw so that a wrong type gets a
// message naming the field rather than a decoder's.
type pixWire struct {
	EndToEndID  json.RawMessage `json:"endToEndId"`
	TxID        json.RawMessage `json:"txid"`
	Valor       json.RawMessage `json:"valor"`
	Horario     json.RawMessage `json:"horario"`
	InfoPagador json.RawMessage `json:"infoPagador"`
}

const maxInfoPagador = 140

// decodePix reads and checks the Pix at index i; errors name the field as
// pix[i].field.
func decodePix(raw json.RawMessage, i int) (Pix, error) {
	at := func(field string) string { return fmt.Sprintf("pix[%d].%s", i, field) }
	var w pixWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return Pix{}, payments.Invalid(fmt.Sprintf("pix[%d]", i), "must be an object")
	}
	var p Pix
	var ok bool
	var err error

	if p.EndToEndID, ok, err = jsonString(w.EndToEndID); err != nil {
		return Pix{}, payments.Invalid(at("endToEndId"), "%v", err)
	} else if !ok || p.EndToEndID == "" {
		return Pix{}, payments.Invalid(at("endToEndId"), "is required")
	} else if !ValidEndToEndID(p.EndToEndID) {
		return Pix{}, payments.Invalid(at("endToEndId"), "%q is not an endToEndId (E + ISPB + yyyyMMddHHmm + 11 letters or digits)", p.EndToEndID)
	}

	if p.TxID, _, err = jsonString(w.TxID); err != nil {
		return Pix{}, payments.Invalid(at("txid"), "%v", err)
	} else if len(p.TxID) > 35 || !alnum(p.TxID) {
		return Pix{}, payments.Invalid(at("txid"), "must be at most 35 letters and digits")
	}

	valor, ok, err := jsonDecimal(w.Valor)
	if err != nil {
		return Pix{}, payments.Invalid(at("valor"), "%v", err)
	} else if !ok {
		return Pix{}, payments.Invalid(at("valor"), "is required")
	}
	if p.Valor, err = parseValor(valor); err != nil {
		return Pix{}, payments.Invalid(at("valor"), "%v", err)
	}
	if p.Valor <= 0 {
		return Pix{}, payments.Invalid(at("valor"), "must be positive, got %q", valor)
	}

	horario, ok, err := jsonString(w.Horario)
	if err != nil {
		return Pix{}, payments.Invalid(at("horario"), "%v", err)
	} else if !ok || horario == "" {
		return Pix{}, payments.Invalid(at("horario"), "is required")
	}
	if p.Horario, err = time.Parse(time.RFC3339Nano, horario); err != nil {
		return Pix{}, payments.Invalid(at("horario"), "%q is not an RFC 3339 instant", horario)
	}

	if p.InfoPagador, _, err = jsonString(w.InfoPagador); err != nil {
		return Pix{}, payments.Invalid(at("infoPagador"), "%v", err)
	} else if utf8.RuneCountInString(p.InfoPagador) > maxInfoPagador {
		return Pix{}, payments.Invalid(at("infoPagador"), "at most %d characters", maxInfoPagador)
	}
	return p, nil
}

// jsonString reads an optional JSON string; absent and null are not ok.
func jsonString(raw json.RawMessage) (s string, ok bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("must be a string")
	}
	return s, true, nil
}

// jsonDecimal reads an amount sent as a string ("12.34", the API's form) or,
// as some providers do, as a bare JSON number, taking the number's text as
// written so no float is involved.
func jsonDecimal(raw json.RawMessage) (s string, ok bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	if raw[0] == '"' {
		return jsonString(raw)
	}
	if (raw[0] >= '0' && raw[0] <= '9') || raw[0] == '-' {
		return string(raw), true, nil
	}
	return "", false, fmt.Errorf("must be a decimal string like \"12.34\"")
}
