package apipix

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/regua/regua/payments"
)

// Status is a charge's status in the API Pix.
type Status string

// Charge statuses.
const (
	StatusAtiva                        Status = "ATIVA"
	StatusConcluida                    Status = "CONCLUIDA"
	StatusRemovidaPeloUsuarioRecebedor Status = "REMOVIDA_PELO_USUARIO_RECEBEDOR"
	StatusRemovidaPeloPSP              Status = "REMOVIDA_PELO_PSP"
)

// Devedor is who owes the charge: a CPF or a CNPJ (exactly one), and a name.
// Punctuation in the document is accepted and removed before sending.
type Devedor struct {
	CPF  string `json:"cpf,omitempty"`
	CNPJ string `json:"cnpj,omitempty"`
	Nome string `json:"nome"`
}

// InfoAdicional is a name/value pair the payer's app shows with the charge.
type InfoAdicional struct {
	Nome  string `json:"nome"`
	Valor string `json:"valor"`
}

// CobRequest is an immediate charge (PUT /cob/{txid}).
type CobRequest struct {
	// Expiracao is how long the charge can be paid after its creation,
	// sent in whole seconds; 0 leaves the provider's default (24 hours).
	Expiracao time.Duration
	// Devedor is optional for an immediate charge.
	Devedor *Devedor
	// Valor is the amount; it must be positive.
	Valor payments.Cents
	// Chave is the receiving Pix key.
	Chave string
	// SolicitacaoPagador is the text shown to the payer (≤140 characters).
	SolicitacaoPagador string
	InfoAdicionais     []InfoAdicional
}

// Desconto is a fixed discount for paying on or before a date.
type Desconto struct {
	// Ate is the last calendar day (in Ate's location) the discount applies.
	Ate time.Time
	// Valor is the amount taken off the original value.
	Valor payments.Cents
}

// CobVRequest is a charge with a due date (PUT /cobv/{txid}). Rates are in
// basis points (200 = 2%), amounts in centavos; the client writes them as
// the API's decimal strings.
type CobVRequest struct {
	// Vencimento is the due date: its calendar day in its own location.
	Vencimento time.Time
	// ValidadeAposVencimento is how many days after the due date the charge
	// can still be paid (with fine and interest); 0 leaves the provider's
	// default (30 days).
	ValidadeAposVencimento int
	// Devedor is required for a charge with due date.
	Devedor Devedor
	// Valor is the original amount; it must be positive.
	Valor payments.Cents
	// MultaBP is the late fine as a percentage of the value (modalidade 2),
	// in basis points; 0 sends no fine.
	MultaBP int64
	// JurosMensalBP is the late interest as a percentage a month counted in
	// calendar days (modalidade 3), in basis points; 0 sends no interest.
	JurosMensalBP int64
	// Descontos are fixed-value discounts until dates (modalidade 1): up to
	// three, in increasing date order, none after the due date.
	Descontos []Desconto
	// Abatimento is a fixed reduction of the value (modalidade 1); 0 sends none.
	Abatimento payments.Cents
	// Chave is the receiving Pix key.
	Chave string
	// SolicitacaoPagador is the text shown to the payer (≤140 characters).
	SolicitacaoPagador string
	InfoAdicionais     []InfoAdicional
}

// Cob is an immediate charge as the provider answers it.
type Cob struct {
	TxID               string
	Revisao            int
	Status             Status
	Criacao            time.Time
	Expiracao          time.Duration
	Location           string
	PixCopiaECola      string
	Devedor            *Devedor
	Valor              payments.Cents
	Chave              string
	SolicitacaoPagador string
}

// CobV is a charge with due date as the provider answers it.
type CobV struct {
	TxID                   string
	Revisao                int
	Status                 Status
	Criacao                time.Time
	Vencimento             time.Time // the civil date, at 00:00 UTC
	ValidadeAposVencimento int
	Location               string
	PixCopiaECola          string
	Devedor                Devedor
	Valor                  payments.Cents
	Chave                  string
	SolicitacaoPagador     string
}

// PutCob creates the immediate charge txid. The txid is the caller's
// idempotency key: when an answer is lost, GetCob tells whether the charge
// exists rather than PUTting it again (providers refuse a used txid).
func (c *Client) PutCob(ctx context.Context, txid string, r CobRequest) (Cob, error) {
	body, err := r.body(txid)
	if err != nil {
		return Cob{}, err
	}
	var a chargeAnswer
	if err := c.do(ctx, "put cob", http.MethodPut, "/cob/"+txid, nil, body, &a); err != nil {
		return Cob{}, err
	}
	return a.cob("put cob", txid)
}

// GetCob reads the immediate charge txid.
func (c *Client) GetCob(ctx context.Context, txid string) (Cob, error) {
	if err := checkTxID(txid); err != nil {
		return Cob{}, err
	}
	var a chargeAnswer
	if err := c.do(ctx, "get cob", http.MethodGet, "/cob/"+txid, nil, nil, &a); err != nil {
		return Cob{}, err
	}
	return a.cob("get cob", txid)
}

// PutCobV creates the charge with due date txid. See PutCob about retries.
func (c *Client) PutCobV(ctx context.Context, txid string, r CobVRequest) (CobV, error) {
	body, err := r.body(txid)
	if err != nil {
		return CobV{}, err
	}
	var a chargeAnswer
	if err := c.do(ctx, "put cobv", http.MethodPut, "/cobv/"+txid, nil, body, &a); err != nil {
		return CobV{}, err
	}
	return a.cobv("put cobv", txid)
}

// GetCobV reads the charge with due date txid.
func (c *Client) GetCobV(ctx context.Context, txid string) (CobV, error) {
	if err := checkTxID(txid); err != nil {
		return CobV{}, err
	}
	var a chargeAnswer
	if err := c.do(ctx, "get cobv", http.MethodGet, "/cobv/"+txid, nil, nil, &a); err != nil {
		return CobV{}, err
	}
	return a.cobv("get cobv", txid)
}

// ValidTxID reports whether s is a charge txid the API Pix accepts:
// 26 to 35 characters of [a-zA-Z0-9].
func ValidTxID(s string) bool {
	return len(s) >= 26 && len(s) <= 35 && alnum(s)
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func checkTxID(txid string) error {
	if !ValidTxID(txid) {
		return payments.Invalid("txid", "must be 26 to 35 letters and digits, got %d characters", len(txid))
	}
	return nil
}

// Request bodies, as the API Pix spells them.
type (
	cobBody struct {
		Calendario         *cobCalendario  `json:"calendario,omitempty"`
		Devedor            *Devedor        `json:"devedor,omitempty"`
		Valor              cobValor        `json:"valor"`
		Chave              string          `json:"chave"`
		SolicitacaoPagador string          `json:"solicitacaoPagador,omitempty"`
		InfoAdicionais     []InfoAdicional `json:"infoAdicionais,omitempty"`
	}
	cobCalendario struct {
		Expiracao int64 `json:"expiracao"`
	}
	cobValor struct {
		Original string `json:"original"`
	}
	cobvBody struct {
		Calendario         cobvCalendario  `json:"calendario"`
		Devedor            Devedor         `json:"devedor"`
		Valor              cobvValor       `json:"valor"`
		Chave              string          `json:"chave"`
		SolicitacaoPagador string          `json:"solicitacaoPagador,omitempty"`
		InfoAdicionais     []InfoAdicional `json:"infoAdicionais,omitempty"`
	}
	cobvCalendario struct {
		DataDeVencimento       string `json:"dataDeVencimento"`
		ValidadeAposVencimento int    `json:"validadeAposVencimento,omitempty"`
	}
	cobvValor struct {
		Original   string        `json:"original"`
		Multa      *modalidade   `json:"multa,omitempty"`
		Juros      *modalidade   `json:"juros,omitempty"`
		Abatimento *modalidade   `json:"abatimento,omitempty"`
		Desconto   *descontoBody `json:"desconto,omitempty"`
	}
	modalidade struct {
		Modalidade int    `json:"modalidade"`
		ValorPerc  string `json:"valorPerc"`
	}
	descontoBody struct {
		Modalidade       int             `json:"modalidade"`
		DescontoDataFixa []dataValorPerc `json:"descontoDataFixa"`
	}
	dataValorPerc struct {
		Data      string `json:"data"`
		ValorPerc string `json:"valorPerc"`
	}
)

// API Pix modalidades used here.
const (
	multaPercentual            = 2
	jurosPercentualMesCorridos = 3
	abatimentoValorFixo        = 1
	descontoValorFixoAteData   = 1
	maxDescontos               = 3
	maxRateBP                  = 10000 // 100%: anything above is a unit mistake
	maxSolicitacaoPagador      = 140
	maxChave                   = 77
	maxNome                    = 200
	maxInfoAdicionais          = 50
	maxInfoAdicionalNome       = 50
	maxInfoAdicionalValor      = 200
	dateLayout                 = "2006-01-02"
	defaultExpiracaoImmediate  = 24 * time.Hour
)

func (r CobRequest) body(txid string) (cobBody, error) {
	if err := checkTxID(txid); err != nil {
		return cobBody{}, err
	}
	b := cobBody{Chave: r.Chave, SolicitacaoPagador: r.SolicitacaoPagador, InfoAdicionais: r.InfoAdicionais}
	if r.Expiracao < 0 || (r.Expiracao > 0 && r.Expiracao < time.Second) {
		return cobBody{}, payments.Invalid("calendario.expiracao", "must be at least one second")
	}
	if r.Expiracao > 0 {
		b.Calendario = &cobCalendario{Expiracao: int64(r.Expiracao / time.Second)}
	}
	if r.Devedor != nil {
		d, err := checkDevedor(*r.Devedor)
		if err != nil {
			return cobBody{}, err
		}
		b.Devedor = &d
	}
	var err error
	if b.Valor.Original, err = checkValor("valor.original", r.Valor); err != nil {
		return cobBody{}, err
	}
	if err := checkCommon(r.Chave, r.SolicitacaoPagador, r.InfoAdicionais); err != nil {
		return cobBody{}, err
	}
	return b, nil
}

func (r CobVRequest) body(txid string) (cobvBody, error) {
	if err := checkTxID(txid); err != nil {
		return cobvBody{}, err
	}
	if r.Vencimento.IsZero() {
		return cobvBody{}, payments.Invalid("calendario.dataDeVencimento", "is required")
	}
	if r.ValidadeAposVencimento < 0 {
		return cobvBody{}, payments.Invalid("calendario.validadeAposVencimento", "must not be negative")
	}
	b := cobvBody{
		Calendario: cobvCalendario{
			DataDeVencimento:       r.Vencimento.Format(dateLayout),
			ValidadeAposVencimento: r.ValidadeAposVencimento,
		},
		Chave:              r.Chave,
		SolicitacaoPagador: r.SolicitacaoPagador,
		InfoAdicionais:     r.InfoAdicionais,
	}
	var err error
	if b.Devedor, err = checkDevedor(r.Devedor); err != nil {
		return cobvBody{}, err
	}
	if b.Valor.Original, err = checkValor("valor.original", r.Valor); err != nil {
		return cobvBody{}, err
	}
	if r.MultaBP < 0 || r.MultaBP > maxRateBP {
		return cobvBody{}, payments.Invalid("valor.multa.valorPerc", "rate %d bp out of range 0..%d", r.MultaBP, maxRateBP)
	}
	if r.MultaBP > 0 {
		b.Valor.Multa = &modalidade{Modalidade: multaPercentual, ValorPerc: percent(r.MultaBP)}
	}
	if r.JurosMensalBP < 0 || r.JurosMensalBP > maxRateBP {
		return cobvBody{}, payments.Invalid("valor.juros.valorPerc", "rate %d bp out of range 0..%d", r.JurosMensalBP, maxRateBP)
	}
	if r.JurosMensalBP > 0 {
		b.Valor.Juros = &modalidade{Modalidade: jurosPercentualMesCorridos, ValorPerc: percent(r.JurosMensalBP)}
	}
	if r.Abatimento < 0 || (r.Abatimento > 0 && r.Abatimento >= r.Valor) {
		return cobvBody{}, payments.Invalid("valor.abatimento.valorPerc", "must be positive and less than the value")
	}
	if r.Abatimento > 0 {
		b.Valor.Abatimento = &modalidade{Modalidade: abatimentoValorFixo, ValorPerc: r.Abatimento.Decimal()}
	}
	if len(r.Descontos) > maxDescontos {
		return cobvBody{}, payments.Invalid("valor.desconto.descontoDataFixa", "at most %d discounts, got %d", maxDescontos, len(r.Descontos))
	}
	if len(r.Descontos) > 0 {
		d := &descontoBody{Modalidade: descontoValorFixoAteData}
		prev := ""
		for i, x := range r.Descontos {
			field := fmt.Sprintf("valor.desconto.descontoDataFixa[%d]", i)
			if x.Ate.IsZero() {
				return cobvBody{}, payments.Invalid(field+".data", "is required")
			}
			day := x.Ate.Format(dateLayout)
			if day > b.Calendario.DataDeVencimento {
				return cobvBody{}, payments.Invalid(field+".data", "%s is after the due date %s", day, b.Calendario.DataDeVencimento)
			}
			if day <= prev {
				return cobvBody{}, payments.Invalid(field+".data", "dates must increase")
			}
			prev = day
			if x.Valor <= 0 || x.Valor >= r.Valor {
				return cobvBody{}, payments.Invalid(field+".valorPerc", "must be positive and less than the value")
			}
			d.DescontoDataFixa = append(d.DescontoDataFixa, dataValorPerc{Data: day, ValorPerc: x.Valor.Decimal()})
		}
		b.Valor.Desconto = d
	}
	if err := checkCommon(r.Chave, r.SolicitacaoPagador, r.InfoAdicionais); err != nil {
		return cobvBody{}, err
	}
	return b, nil
}

func checkValor(field string, v payments.Cents) (string, error) {
	if v <= 0 {
		return "", payments.Invalid(field, "must be positive, got %s", v.Decimal())
	}
	if v > maxValor {
		return "", payments.Invalid(field, "%s is more than the API accepts", v.Decimal())
	}
	return v.Decimal(), nil
}

func checkDevedor(d Devedor) (Devedor, error) {
	if (d.CPF == "") == (d.CNPJ == "") {
		return Devedor{}, payments.Invalid("devedor", "needs exactly one of cpf and cnpj")
	}
	field, want, raw := "devedor.cpf", payments.DocCPF, d.CPF
	if d.CNPJ != "" {
		field, want, raw = "devedor.cnpj", payments.DocCNPJ, d.CNPJ
	}
	doc, kind, err := payments.NormalizeDocument(raw)
	if err != nil || kind != want {
		// The document itself never goes into the message: it ends up in logs.
		return Devedor{}, payments.Invalid(field, "is not a valid %s", want)
	}
	out := Devedor{Nome: d.Nome}
	if kind == payments.DocCPF {
		out.CPF = doc
	} else {
		out.CNPJ = doc
	}
	if d.Nome == "" {
		return Devedor{}, payments.Invalid("devedor.nome", "is required")
	}
	if utf8.RuneCountInString(d.Nome) > maxNome {
		return Devedor{}, payments.Invalid("devedor.nome", "at most %d characters", maxNome)
	}
	return out, nil
}

func checkCommon(chave, solicitacao string, infos []InfoAdicional) error {
	if chave == "" {
		return payments.Invalid("chave", "is required")
	}
	if utf8.RuneCountInString(chave) > maxChave {
		return payments.Invalid("chave", "at most %d characters", maxChave)
	}
	if utf8.RuneCountInString(solicitacao) > maxSolicitacaoPagador {
		return payments.Invalid("solicitacaoPagador", "at most %d characters", maxSolicitacaoPagador)
	}
	if len(infos) > maxInfoAdicionais {
		return payments.Invalid("infoAdicionais", "at most %d items", maxInfoAdicionais)
	}
	for i, x := range infos {
		if x.Nome == "" || utf8.RuneCountInString(x.Nome) > maxInfoAdicionalNome {
			return payments.Invalid(fmt.Sprintf("infoAdicionais[%d].nome", i), "1 to %d characters", maxInfoAdicionalNome)
		}
		if x.Valor == "" || utf8.RuneCountInString(x.Valor) > maxInfoAdicionalValor {
			return payments.Invalid(fmt.Sprintf("infoAdicionais[%d].valor", i), "1 to %d characters", maxInfoAdicionalValor)
		}
	}
	return nil
}

// chargeAnswer is the provider's representation of a cob or a cobv.
type chargeAnswer struct {
	Calendario struct {
		Criacao                string `json:"criacao"`
		Expiracao              int64  `json:"expiracao"`
		DataDeVencimento       string `json:"dataDeVencimento"`
		ValidadeAposVencimento int    `json:"validadeAposVencimento"`
	} `json:"calendario"`
	TxID     string `json:"txid"`
	Revisao  int    `json:"revisao"`
	Status   Status `json:"status"`
	Location string `json:"location"`
	Loc      struct {
		Location string `json:"location"`
	} `json:"loc"`
	Devedor *Devedor `json:"devedor"`
	Valor   struct {
		Original string `json:"original"`
	} `json:"valor"`
	Chave              string `json:"chave"`
	SolicitacaoPagador string `json:"solicitacaoPagador"`
	PixCopiaECola      string `json:"pixCopiaECola"`
}

func (a chargeAnswer) common(op, txid string) (criacao time.Time, valor payments.Cents, location string, err error) {
	if a.TxID != "" && a.TxID != txid {
		return time.Time{}, 0, "", fmt.Errorf("apipix: %s: answer is about txid %q, not %q", op, a.TxID, txid)
	}
	if a.Calendario.Criacao != "" {
		if criacao, err = time.Parse(time.RFC3339Nano, a.Calendario.Criacao); err != nil {
			return time.Time{}, 0, "", fmt.Errorf("apipix: %s: answer: calendario.criacao: %w", op, err)
		}
	}
	if valor, err = parseValor(a.Valor.Original); err != nil {
		return time.Time{}, 0, "", fmt.Errorf("apipix: %s: answer: valor.original: %w", op, err)
	}
	location = a.Location
	if location == "" {
		location = a.Loc.Location
	}
	return criacao, valor, location, nil
}

func (a chargeAnswer) cob(op, txid string) (Cob, error) {
	criacao, valor, location, err := a.common(op, txid)
	if err != nil {
		return Cob{}, err
	}
	exp := time.Duration(a.Calendario.Expiracao) * time.Second
	if exp == 0 {
		exp = defaultExpiracaoImmediate
	}
	return Cob{
		TxID:               txid,
		Revisao:            a.Revisao,
		Status:             a.Status,
		Criacao:            criacao,
		Expiracao:          exp,
		Location:           location,
		PixCopiaECola:      a.PixCopiaECola,
		Devedor:            a.Devedor,
		Valor:              valor,
		Chave:              a.Chave,
		SolicitacaoPagador: a.SolicitacaoPagador,
	}, nil
}

func (a chargeAnswer) cobv(op, txid string) (CobV, error) {
	criacao, valor, location, err := a.common(op, txid)
	if err != nil {
		return CobV{}, err
	}
	due, err := time.Parse(dateLayout, a.Calendario.DataDeVencimento)
	if err != nil {
		return CobV{}, fmt.Errorf("apipix: %s: answer: calendario.dataDeVencimento: %w", op, err)
	}
	v := CobV{
		TxID:                   txid,
		Revisao:                a.Revisao,
		Status:                 a.Status,
		Criacao:                criacao,
		Vencimento:             due,
		ValidadeAposVencimento: a.Calendario.ValidadeAposVencimento,
		Location:               location,
		PixCopiaECola:          a.PixCopiaECola,
		Valor:                  valor,
		Chave:                  a.Chave,
		SolicitacaoPagador:     a.SolicitacaoPagador,
	}
	if a.Devedor != nil {
		v.Devedor = *a.Devedor
	}
	return v, nil
}
