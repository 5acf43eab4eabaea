package email

import (
	"context"
	"html/template"
	"net/http"
)

// OptOut records that a debtor unsubscribed from email (sets
// debtors.opt_out_email, as SAIR does for a chat).
type OptOut func(ctx context.Context, debtorID int64) error

var page = template.Must(template.New("u").Parse(`<!doctype html><html lang="pt-BR"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Cancelar emails</title>
<body style="font-family:sans-serif;max-width:480px;margin:2em auto">
{{if .Done}}<p>Pronto: você não vai mais receber nossos emails de cobrança.</p>
{{else}}<p>Não quer mais receber nossos emails de cobrança?</p>
<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">Cancelar emails</button></form>{{end}}
</body></html>`))

// Handler serves /unsubscribe/{token}: POST unsubscribes (RFC 8058 one-click,
// what mail clients send; the page's button too), GET shows a page with
// that button, so a link scanner that follows links unsubscribes no one.
func Handler(secret string, optOut OptOut) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := ParseToken(secret, r.PathValue("token"))
		if !ok {
			http.Error(w, "link inválido", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.Method {
		case http.MethodGet:
			page.Execute(w, map[string]bool{"Done": false})
		case http.MethodPost:
			if err := optOut(r.Context(), id); err != nil {
				http.Error(w, "tente de novo em instantes", http.StatusInternalServerError)
				return
			}
			page.Execute(w, map[string]bool{"Done": true})
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
