package console

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// KPIs are the dashboard's figures for a period of civil days [From, To]
// in REGUA_TIMEZONE. Every query reads pre-aggregated data or an index made
// for it (migration 0040): charges by due date and status (kept by
// triggers), payments by paid_at, charges by paid_at, promises and plans by
// date, conversations by status. None reads messages.
type KPIs struct {
	From, To time.Time

	Recovered      []DayAmount // payments received per day
	RecoveredTotal payments.Cents

	// Of the charges due in the period (cancelled ones aside): their
	// amount, and the amount of those since paid.
	DueAmount, DuePaid  payments.Cents
	DueCount, PaidCount int
	RecoveryRate        float64 // DuePaid / DueAmount

	// Average days from due date to payment of charges paid in the period.
	DSO       float64
	DSOCount  int
	PaidEarly int // of those, paid on or before the due date

	PromisesKept, PromisesBroken, PromisesOpen int
	PromiseKeptRate                            float64

	PlansAccepted      int
	PlansAcceptedTotal payments.Cents
	PlansBroken        int

	Aging []AgingBucket // open charges today by days overdue

	Waiting, WithAgent     int
	WaitAvg, WaitMax       time.Duration
	EscalationsInPeriod    int
	Steps                  []StepStat // by régua step and channel (when the régua is installed)
	StepsAvailable         bool
	ReplyRate, PaymentRate float64
}

// DayAmount is an amount on a civil day.
type DayAmount struct {
	Day    time.Time
	Amount payments.Cents
	Count  int
}

// AgingBucket is the open charges whose days overdue fall in a range.
type AgingBucket struct {
	Label  string
	Count  int
	Amount payments.Cents
}

// ComputeKPIs reads the figures for [from, to].
func (c *Console) ComputeKPIs(ctx context.Context, from, to time.Time) (*KPIs, error) {
	loc := c.Ledger.Location()
	k := &KPIs{From: from, To: to}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	tz := loc.String()
	today := payments.Date(c.now(), loc)

	rows, err := c.pool.Query(ctx, `SELECT (paid_at AT TIME ZONE $3)::date, sum(amount), count(*) FROM payments
		WHERE paid_at >= $1 AND paid_at < $2 GROUP BY 1 ORDER BY 1`, start, end, tz)
	if err != nil {
		return nil, fmt.Errorf("console: kpi recovered: %w", err)
	}
	byDay := map[string]DayAmount{}
	for rows.Next() {
		var d DayAmount
		if err := rows.Scan(&d.Day, &d.Amount, &d.Count); err != nil {
			rows.Close()
			return nil, err
		}
		byDay[d.Day.Format(time.DateOnly)] = d
		k.RecoveredTotal += d.Amount
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		v := byDay[key]
		v.Day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		k.Recovered = append(k.Recovered, v)
	}

	err = c.pool.QueryRow(ctx, `SELECT coalesce(sum(amount), 0), coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0),
			coalesce(sum(charges), 0), coalesce(sum(charges) FILTER (WHERE status = 'paid'), 0)
		FROM kpi_charges_by_due WHERE due_date >= $1 AND due_date <= $2 AND status <> 'cancelled'`,
		payments.Date(start, loc), payments.Date(to, loc)).Scan(&k.DueAmount, &k.DuePaid, &k.DueCount, &k.PaidCount)
	if err != nil {
		return nil, fmt.Errorf("console: kpi recovery: %w", err)
	}
	if k.DueAmount > 0 {
		k.RecoveryRate = float64(k.DuePaid) / float64(k.DueAmount)
	}

	err = c.pool.QueryRow(ctx, `SELECT coalesce(avg((paid_at AT TIME ZONE $3)::date - due_date), 0), count(*),
			count(*) FILTER (WHERE (paid_at AT TIME ZONE $3)::date <= due_date)
		FROM charges WHERE paid_at >= $1 AND paid_at < $2`, start, end, tz).Scan(&k.DSO, &k.DSOCount, &k.PaidEarly)
	if err != nil {
		return nil, fmt.Errorf("console: kpi dso: %w", err)
	}

	err = c.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'kept'), count(*) FILTER (WHERE status = 'broken'),
			count(*) FILTER (WHERE status = 'open')
		FROM promises WHERE promised_for >= $1 AND promised_for <= $2`, payments.Date(start, loc), payments.Date(to, loc)).
		Scan(&k.PromisesKept, &k.PromisesBroken, &k.PromisesOpen)
	if err != nil {
		return nil, fmt.Errorf("console: kpi promises: %w", err)
	}
	if n := k.PromisesKept + k.PromisesBroken; n > 0 {
		k.PromiseKeptRate = float64(k.PromisesKept) / float64(n)
	}

	err = c.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM plans WHERE accepted_on >= $1 AND accepted_on <= $2),
			(SELECT coalesce(sum(total), 0) FROM plans WHERE accepted_on >= $1 AND accepted_on <= $2),
			(SELECT count(*) FROM plans WHERE broken_at >= $3 AND broken_at < $4)`,
		payments.Date(start, loc), payments.Date(to, loc), start, end).Scan(&k.PlansAccepted, &k.PlansAcceptedTotal, &k.PlansBroken)
	if err != nil {
		return nil, fmt.Errorf("console: kpi plans: %w", err)
	}

	k.Aging = []AgingBucket{{Label: "A vencer"}, {Label: "0–30 dias"}, {Label: "31–60 dias"}, {Label: "61–90 dias"}, {Label: "90+ dias"}}
	rows, err = c.pool.Query(ctx, `SELECT CASE WHEN due_date >= $1 THEN 0 WHEN $1 - due_date <= 30 THEN 1 WHEN $1 - due_date <= 60 THEN 2
			WHEN $1 - due_date <= 90 THEN 3 ELSE 4 END, sum(charges), sum(amount)
		FROM kpi_charges_by_due WHERE status = 'open' GROUP BY 1`, today)
	if err != nil {
		return nil, fmt.Errorf("console: kpi aging: %w", err)
	}
	for rows.Next() {
		var b, n int
		var amount payments.Cents
		if err := rows.Scan(&b, &n, &amount); err != nil {
			rows.Close()
			return nil, err
		}
		k.Aging[b].Count, k.Aging[b].Amount = n, amount
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var avgSec, maxSec float64
	err = c.pool.QueryRow(ctx, `WITH w AS (
			SELECT c.status, coalesce((SELECT l.at FROM conversation_status_log l WHERE l.conversation_id = c.id AND l.status = 'waiting_agent'
			                           ORDER BY l.id DESC LIMIT 1), c.updated_at) AS since
			FROM conversations c WHERE c.status IN ('waiting_agent', 'with_agent'))
		SELECT count(*) FILTER (WHERE status = 'waiting_agent'), count(*) FILTER (WHERE status = 'with_agent'),
			coalesce(extract(epoch FROM avg($1 - since) FILTER (WHERE status = 'waiting_agent')), 0),
			coalesce(extract(epoch FROM max($1 - since) FILTER (WHERE status = 'waiting_agent')), 0),
			(SELECT count(*) FROM conversation_status_log WHERE at >= $2 AND at < $3 AND status = 'waiting_agent')
		FROM w`, c.now(), start, end).Scan(&k.Waiting, &k.WithAgent, &avgSec, &maxSec, &k.EscalationsInPeriod)
	if err != nil {
		return nil, fmt.Errorf("console: kpi escalations: %w", err)
	}
	k.WaitAvg, k.WaitMax = time.Duration(avgSec*float64(time.Second)), time.Duration(maxSec*float64(time.Second))

	if c.Reminders != nil {
		k.StepsAvailable = true
		if k.Steps, err = c.Reminders.StepStats(ctx, start, end); err != nil {
			return nil, err
		}
		var sent, replied, paid int
		for _, s := range k.Steps {
			sent, replied, paid = sent+s.Sent, replied+s.Replied, paid+s.Paid
		}
		if sent > 0 {
			k.ReplyRate, k.PaymentRate = float64(replied)/float64(sent), float64(paid)/float64(sent)
		}
	}
	return k, nil
}

func (c *Console) period(r *http.Request) (time.Time, time.Time, error) {
	loc := c.Ledger.Location()
	today := payments.Date(c.now(), loc)
	from, to := today.AddDate(0, 0, -29), today
	if v := r.URL.Query().Get("from"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return from, to, payments.Invalid("from", "data inválida (AAAA-MM-DD)")
		}
		from = d
	}
	if v := r.URL.Query().Get("to"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return from, to, payments.Invalid("to", "data inválida (AAAA-MM-DD)")
		}
		to = d
	}
	if to.Before(from) {
		return from, to, payments.Invalid("to", "o fim do período vem antes do início")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return from, to, payments.Invalid("from", "o período pode ter no máximo um ano")
	}
	return from, to, nil
}

func (c *Console) kpiPage(w http.ResponseWriter, r *http.Request) {
	from, to, err := c.period(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	k, err := c.ComputeKPIs(r.Context(), from, to)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q := "from=" + from.Format(time.DateOnly) + "&to=" + to.Format(time.DateOnly)
	c.render(w, r, "kpis", http.StatusOK, map[string]any{"Title": "Indicadores", "K": k, "Q": q,
		"RecoveredChart": barChart("recovered-chart", "Recuperado por dia", dayBars(k.Recovered)),
		"AgingChart":     barChart("aging-chart", "Carteira em aberto por atraso", agingBars(k.Aging)),
		"From":           from.Format(time.DateOnly), "To": to.Format(time.DateOnly)})
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

// kpiCSV exports one of the dashboard's tables.
func (c *Console) kpiCSV(w http.ResponseWriter, r *http.Request) {
	from, to, err := c.period(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	k, err := c.ComputeKPIs(r.Context(), from, to)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var out [][]string
	table, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok {
		table = ""
	}
	switch table {
	case "summary":
		out = [][]string{{"indicator", "value"},
			{"recovered", k.RecoveredTotal.Decimal()},
			{"due_amount", k.DueAmount.Decimal()}, {"due_paid", k.DuePaid.Decimal()}, {"recovery_rate", fmt.Sprintf("%.4f", k.RecoveryRate)},
			{"dso_days", fmt.Sprintf("%.2f", k.DSO)}, {"paid_charges", strconv.Itoa(k.DSOCount)},
			{"promises_kept", strconv.Itoa(k.PromisesKept)}, {"promises_broken", strconv.Itoa(k.PromisesBroken)},
			{"promise_kept_rate", fmt.Sprintf("%.4f", k.PromiseKeptRate)},
			{"plans_accepted", strconv.Itoa(k.PlansAccepted)}, {"plans_accepted_total", k.PlansAcceptedTotal.Decimal()},
			{"plans_broken", strconv.Itoa(k.PlansBroken)},
			{"escalations_waiting", strconv.Itoa(k.Waiting)}, {"escalations_with_agent", strconv.Itoa(k.WithAgent)},
			{"wait_avg_seconds", strconv.Itoa(int(k.WaitAvg.Seconds()))}, {"wait_max_seconds", strconv.Itoa(int(k.WaitMax.Seconds()))},
			{"escalations_in_period", strconv.Itoa(k.EscalationsInPeriod)}}
	case "recovered":
		out = [][]string{{"date", "amount", "payments"}}
		for _, d := range k.Recovered {
			out = append(out, []string{d.Day.Format(time.DateOnly), d.Amount.Decimal(), strconv.Itoa(d.Count)})
		}
	case "aging":
		out = [][]string{{"bucket", "charges", "amount"}}
		for _, b := range k.Aging {
			out = append(out, []string{b.Label, strconv.Itoa(b.Count), b.Amount.Decimal()})
		}
	case "steps":
		out = [][]string{{"step", "channel", "sent", "replied", "paid"}}
		for _, s := range k.Steps {
			out = append(out, []string{s.Step, s.Channel, strconv.Itoa(s.Sent), strconv.Itoa(s.Replied), strconv.Itoa(s.Paid)})
		}
	default:
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "tabela desconhecida"))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="regua-%s-%s-%s.csv"`, table, from.Format("20060102"), to.Format("20060102")))
	cw := csv.NewWriter(w)
	cw.WriteAll(out)
}

// bar is one bar of a chart.
type bar struct {
	Label string
	Value int64
	Title string
}

func dayBars(days []DayAmount) []bar {
	out := make([]bar, len(days))
	for i, d := range days {
		out[i] = bar{Label: d.Day.Format("02/01"), Value: int64(d.Amount), Title: d.Day.Format("02/01/2006") + ": " + d.Amount.String()}
	}
	return out
}

func agingBars(bs []AgingBucket) []bar {
	out := make([]bar, len(bs))
	for i, b := range bs {
		out[i] = bar{Label: b.Label, Value: int64(b.Amount), Title: fmt.Sprintf("%s: %d cobranças, %s", b.Label, b.Count, b.Amount)}
	}
	return out
}

// barChart draws a bar chart as inline SVG (no script, no external
// service): bars scaled to the largest value, a label under every bar
// when they fit (else every n-th), the value in each bar's tooltip.
func barChart(id, title string, bars []bar) template.HTML {
	const w, h, top, bottom, left = 720, 240, 20, 40, 8
	var maxV int64 = 1
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg id="%s" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		template.HTMLEscapeString(id), w, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&s, `<title>%s</title>`, template.HTMLEscapeString(title))
	fmt.Fprintf(&s, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#98a2b3"/>`, left, h-bottom, w-left, h-bottom)
	n := len(bars)
	if n == 0 {
		s.WriteString(`</svg>`)
		return template.HTML(s.String())
	}
	slot := float64(w-2*left) / float64(n)
	every := 1
	if slot < 34 {
		every = int(34/slot) + 1
	}
	for i, b := range bars {
		bh := float64(h-top-bottom) * float64(b.Value) / float64(maxV)
		x := float64(left) + float64(i)*slot + slot*0.15
		fmt.Fprintf(&s, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#0b6e4f"><title>%s</title></rect>`,
			x, float64(h-bottom)-bh, slot*0.7, bh, template.HTMLEscapeString(b.Title))
		if i%every == 0 {
			fmt.Fprintf(&s, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+slot*0.35, h-bottom+16, template.HTMLEscapeString(b.Label))
		}
	}
	fmt.Fprintf(&s, `<text x="%d" y="14">máx. %s</text>`, left, template.HTMLEscapeString(payments.Cents(maxV).String()))
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
