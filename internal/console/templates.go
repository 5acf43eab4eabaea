package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

var saoPaulo = func() *time.Location {
	l, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("BRT", -3*3600)
	}
	return l
}()

var funcs = template.FuncMap{
	"money": func(c payments.Cents) string { return c.String() },
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("02/01/2006")
	},
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(saoPaulo).Format("02/01/2006 15:04")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.In(saoPaulo).Format("02/01/2006 15:04")
		}
		return ""
	},
	"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago":         ago,
	"channelName": channelName,
	"statusName":  statusName,
	"maskPhone":   maskPhone,
	"fmtDoc":      fmtDoc,
	"roleName":    roleName,
	"has":         func(u *User, role string) bool { return u.Can(role) },
	"join":        strings.Join,
	"safeHTML":    func(s string) template.HTML { return template.HTML(s) },
	"add":         func(a, b int) int { return a + b },
	"pct":         pct,
	"dur":         dur,
}

func ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "agora"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d dias", int(d.Hours()/24))
}

func channelName(c string) string {
	switch c {
	case "whatsapp":
		return "WhatsApp"
	case "telegram":
		return "Telegram"
	case "webchat":
		return "Web chat"
	case "email":
		return "E-mail"
	}
	return c
}

func statusName(s string) string {
	switch s {
	case "bot":
		return "Com o robô"
	case "waiting_agent":
		return "Aguardando atendente"
	case "with_agent":
		return "Com atendente"
	case "closed":
		return "Encerrada"
	case "open":
		return "Em aberto"
	case "paid":
		return "Paga"
	case "in_plan":
		return "Em acordo"
	case "written_off":
		return "Baixada (perda)"
	case "cancelled":
		return "Cancelada"
	case "active":
		return "Ativo"
	case "broken":
		return "Quebrado"
	case "kept":
		return "Cumprida"
	case "replaced":
		return "Substituída"
	}
	return s
}

// maskPhone shows a phone's area code and last four digits.
func maskPhone(p string) string {
	d := strings.TrimPrefix(p, "+")
	if len(d) < 8 {
		return p
	}
	if strings.HasPrefix(d, "55") && len(d) >= 12 {
		return "(" + d[2:4] + ") •••••-" + d[len(d)-4:]
	}
	return "•••" + d[len(d)-4:]
}

func fmtDoc(d string) string {
	if len(d) == 11 {
		return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:]
	}
	if len(d) == 14 {
		return d[:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:]
	}
	return d
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// parsePages builds one template set per page: the layout and the page.
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t := template.Must(base.Clone())
		template.Must(t.ParseFS(templateFS, n))
		pages[name] = t
	}
	return pages
}

func urlPathEscape(s string) string { return url.PathEscape(s) }

func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d dias", int(d.Hours()/24))
}
