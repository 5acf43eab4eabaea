package apipixtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/regua/regua/payments"
)

// The patterns of the API Pix OpenAPI document.
var (
	txidRE  = regexp.MustCompile(`^[a-zA-Z0-9]{26,35}$`)
	moneyRE = regexp.MustCompile(`^\d{1,10}\.\d{2}$`)
)

func validTxID(s string) bool { return txidRE.MatchString(s) }

// validator collects every violation in a body, as real providers list
// them all rather than stopping at the first.
type validator struct{ vs []violacao }

func (v *validator) bad(prop, razao string, valor any) {
	s := ""
	if valor != nil {
		s = fmt.Sprint(valor)
	}
	v.vs = append(v.vs, violacao{Razao: razao, Propriedade: prop, Valor: s})
}

func (v *validator) object(m map[string]any, key, prop string, required bool) map[string]any {
	x, ok := m[key]
	if !ok || x == nil {
		if required {
			v.bad(prop, prop+" é obrigatório", nil)
		}
		return nil
	}
	o, ok := x.(map[string]any)
	if !ok {
		v.bad(prop, prop+" deve ser um objeto", x)
		return nil
	}
	return o
}

func (v *validator) str(m map[string]any, key, prop string, required bool, maxLen int) (string, bool) {
	x, ok := m[key]
	if !ok || x == nil {
		if required {
			v.bad(prop, prop+" é obrigatório", nil)
		}
		return "", false
	}
	s, ok := x.(string)
	if !ok {
		v.bad(prop, prop+" deve ser uma string", x)
		return "", false
	}
	if required && s == "" {
		v.bad(prop, prop+" não pode ser vazio", s)
		return "", false
	}
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		v.bad(prop, fmt.Sprintf("%s deve ter no máximo %d caracteres", prop, maxLen), s)
		return "", false
	}
	return s, true
}

func (v *validator) integer(m map[string]any, key, prop string, lo, hi int64) (int64, bool) {
	x, ok := m[key]
	if !ok || x == nil {
		return 0, false
	}
	n, isNum := x.(json.Number)
	i, err := n.Int64()
	if !isNum || err != nil || i < lo || i > hi {
		v.bad(prop, fmt.Sprintf("%s deve ser um inteiro entre %d e %d", prop, lo, hi), x)
		return 0, false
	}
	return i, true
}

func (v *validator) money(m map[string]any, key, prop string, required bool) (payments.Cents, bool) {
	s, ok := v.str(m, key, prop, required, 0)
	if !ok {
		return 0, false
	}
	if !moneyRE.MatchString(s) {
		v.bad(prop, prop+` deve seguir o padrão \d{1,10}\.\d{2}`, s)
		return 0, false
	}
	c, err := payments.ParseCents(s)
	if err != nil {
		v.bad(prop, prop+" inválido", s)
		return 0, false
	}
	return c, true
}

// original checks valor.original, which must also be positive.
func (v *validator) original(val map[string]any) payments.Cents {
	c, ok := v.money(val, "original", "valor.original", true)
	if ok && c <= 0 {
		v.bad("valor.original", "valor.original deve ser positivo", val["original"])
	}
	return c
}

func (v *validator) date(m map[string]any, key, prop string, required bool) (string, bool) {
	s, ok := v.str(m, key, prop, required, 0)
	if !ok {
		return "", false
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		v.bad(prop, prop+" deve ser uma data AAAA-MM-DD", s)
		return "", false
	}
	return s, true
}

func (v *validator) devedor(doc map[string]any, required bool) {
	d := v.object(doc, "devedor", "devedor", required)
	if d == nil {
		return
	}
	cpf, hasCPF := v.str(d, "cpf", "devedor.cpf", false, 0)
	cnpj, hasCNPJ := v.str(d, "cnpj", "devedor.cnpj", false, 0)
	switch {
	case hasCPF && hasCNPJ:
		v.bad("devedor", "informe cpf ou cnpj, não ambos", nil)
	case hasCPF && !payments.ValidCPF(cpf):
		v.bad("devedor.cpf", "CPF inválido", nil)
	case hasCNPJ && !payments.ValidCNPJ(cnpj):
		v.bad("devedor.cnpj", "CNPJ inválido", nil)
	case !hasCPF && !hasCNPJ:
		v.bad("devedor", "cpf ou cnpj é obrigatório", nil)
	}
	v.str(d, "nome", "devedor.nome", true, 200)
}

func (v *validator) common(doc map[string]any) {
	v.str(doc, "chave", "chave", true, 77)
	v.str(doc, "solicitacaoPagador", "solicitacaoPagador", false, 140)
	x, ok := doc["infoAdicionais"]
	if !ok || x == nil {
		return
	}
	list, ok := x.([]any)
	if !ok || len(list) > 50 {
		v.bad("infoAdicionais", "infoAdicionais deve ser uma lista de até 50 itens", nil)
		return
	}
	for i, it := range list {
		o, ok := it.(map[string]any)
		if !ok {
			v.bad(fmt.Sprintf("infoAdicionais[%d]", i), "deve ser um objeto", nil)
			continue
		}
		v.str(o, "nome", fmt.Sprintf("infoAdicionais[%d].nome", i), true, 50)
		v.str(o, "valor", fmt.Sprintf("infoAdicionais[%d].valor", i), true, 200)
	}
}

// cob checks an immediate charge and returns its value.
func (v *validator) cob(doc map[string]any) payments.Cents {
	if cal := v.object(doc, "calendario", "calendario", false); cal != nil {
		v.integer(cal, "expiracao", "calendario.expiracao", 1, 1<<31-1)
	}
	v.devedor(doc, false)
	var valor payments.Cents
	if val := v.object(doc, "valor", "valor", true); val != nil {
		valor = v.original(val)
		v.integer(val, "modalidadeAlteracao", "valor.modalidadeAlteracao", 0, 1)
	}
	v.common(doc)
	return valor
}

// cobv checks a charge with due date and returns its value.
func (v *validator) cobv(doc map[string]any) payments.Cents {
	due := ""
	if cal := v.object(doc, "calendario", "calendario", true); cal != nil {
		due, _ = v.date(cal, "dataDeVencimento", "calendario.dataDeVencimento", true)
		v.integer(cal, "validadeAposVencimento", "calendario.validadeAposVencimento", 0, 1<<31-1)
	}
	v.devedor(doc, true)
	var valor payments.Cents
	if val := v.object(doc, "valor", "valor", true); val != nil {
		valor = v.original(val)
		v.modalidade(val, "multa", 1, 2)
		v.modalidade(val, "juros", 1, 8)
		v.modalidade(val, "abatimento", 1, 2)
		if d := v.object(val, "desconto", "valor.desconto", false); d != nil {
			mod, ok := v.integer(d, "modalidade", "valor.desconto.modalidade", 1, 6)
			if _, present := d["modalidade"]; !present {
				v.bad("valor.desconto.modalidade", "valor.desconto.modalidade é obrigatório", nil)
			}
			if ok && mod <= 2 {
				v.descontoDataFixa(d, due)
			} else if ok {
				v.money(d, "valorPerc", "valor.desconto.valorPerc", true)
			}
		}
	}
	v.common(doc)
	return valor
}

func (v *validator) modalidade(val map[string]any, key string, lo, hi int64) {
	prop := "valor." + key
	o := v.object(val, key, prop, false)
	if o == nil {
		return
	}
	if _, present := o["modalidade"]; !present {
		v.bad(prop+".modalidade", prop+".modalidade é obrigatório", nil)
	}
	v.integer(o, "modalidade", prop+".modalidade", lo, hi)
	v.money(o, "valorPerc", prop+".valorPerc", true)
}

func (v *validator) descontoDataFixa(d map[string]any, due string) {
	const prop = "valor.desconto.descontoDataFixa"
	list, ok := d["descontoDataFixa"].([]any)
	if !ok || len(list) == 0 || len(list) > 3 {
		v.bad(prop, prop+" deve ter de 1 a 3 itens", nil)
		return
	}
	for i, it := range list {
		o, ok := it.(map[string]any)
		p := fmt.Sprintf("%s[%d]", prop, i)
		if !ok {
			v.bad(p, "deve ser um objeto", nil)
			continue
		}
		if day, ok := v.date(o, "data", p+".data", true); ok && due != "" && day > due {
			v.bad(p+".data", "a data do desconto não pode ser posterior ao vencimento", day)
		}
		v.money(o, "valorPerc", p+".valorPerc", true)
	}
}
