package console

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/payments"
)

// Reminders is what the console reads of the régua (issue 11) when it is
// installed: a debtor's reminder attempts for the timeline, and reply and
// payment rates by step and channel for the KPIs.
type Reminders interface {
	Attempts(ctx context.Context, debtorID int64) ([]TimelineItem, error)
	StepStats(ctx context.Context, from, to time.Time) ([]StepStat, error)
}

// StepStat is how a régua step did on a channel over a period.
type StepStat struct {
	Step, Channel       string
	Sent, Replied, Paid int
}

// TimelineItem is one event on the debtor's timeline.
type TimelineItem struct {
	At     time.Time
	Kind   string // message, reminder, payment, plan, promise, note
	Title  string
	Text   string
	Class  string
	LinkID int64 // conversation id for messages
}

// DebtorPage is what the debtor page shows.
type DebtorPage struct {
	Debtor        *payments.Debtor
	OptOutEmail   bool
	Paused        *time.Time
	Locked        bool
	Disputed      bool
	Charges       []ChargeRow
	Total, Credit payments.Cents
	Plans         []*payments.Plan
	Payments      []payments.Payment
	Timeline      []TimelineItem
	Conversations []ConvLink
	Remindersless bool
}

// ChargeRow is a charge with what it owes today.
type ChargeRow struct {
	ID          int64
	ExternalID  string
	Description string
	Amount      payments.Cents
	Due         time.Time
	Status      string
	Disputed    bool
	Today       payments.ChargeBalance
}

// ConvLink is a conversation of the debtor.
type ConvLink struct {
	ID              int64
	Channel, Status string
}

func (c *Console) debtorOf(r *http.Request) (*payments.Debtor, error) {
	return c.Store.Debtor(r.Context(), r.PathValue("external_id"))
}

func (c *Console) debtorPage(w http.ResponseWriter, r *http.Request) {
	d, err := c.debtorOf(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p, err := c.loadDebtorPage(r.Context(), d)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), userOf(r).Email, "debtor.view", d.ExternalID, d.ID, nil)
	c.render(w, r, "debtor", http.StatusOK, map[string]any{"Title": d.Name, "P": p, "Key": formKey(),
		"Flash": r.URL.Query().Get("ok"), "Today": payments.Date(c.now(), c.Ledger.Location())})
}

func (c *Console) loadDebtorPage(ctx context.Context, d *payments.Debtor) (*DebtorPage, error) {
	p := &DebtorPage{Debtor: d, Remindersless: c.Reminders == nil}
	now := c.now()
	err := c.pool.QueryRow(ctx, `SELECT opt_out_email, regua_paused_at,
			EXISTS (SELECT 1 FROM conversations WHERE debtor_id = $1 AND verify_locked_at IS NOT NULL)
			OR EXISTS (SELECT 1 FROM verification_failures WHERE debtor_id = $1 AND cleared_at IS NULL AND at > $2)
		FROM debtors WHERE id = $1`, d.ID, now.Add(-30*24*time.Hour)).Scan(&p.OptOutEmail, &p.Paused, &p.Locked)
	if err != nil {
		return nil, fmt.Errorf("console: debtor: %w", err)
	}
	rows, err := c.pool.Query(ctx, `SELECT id, external_id, description, amount, due_date, status, disputed_at IS NOT NULL
		FROM charges WHERE debtor_id = $1 ORDER BY due_date, id`, d.ID)
	if err != nil {
		return nil, fmt.Errorf("console: charges: %w", err)
	}
	p.Charges, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChargeRow, error) {
		var ch ChargeRow
		err := r.Scan(&ch.ID, &ch.ExternalID, &ch.Description, &ch.Amount, &ch.Due, &ch.Status, &ch.Disputed)
		return ch, err
	})
	if err != nil {
		return nil, fmt.Errorf("console: charges: %w", err)
	}
	bal, err := c.Ledger.DebtorBalance(ctx, d.ID, now)
	if err != nil {
		return nil, err
	}
	today := map[int64]payments.ChargeBalance{}
	for _, b := range bal.Charges {
		today[b.ChargeID] = b
	}
	for i := range p.Charges {
		p.Charges[i].Today = today[p.Charges[i].ID]
		if p.Charges[i].Disputed && p.Charges[i].Status == payments.ChargeOpen {
			p.Disputed = true
		}
	}
	p.Total, p.Credit = bal.Total, bal.Credit
	if p.Plans, err = c.Plans.PlansOfDebtor(ctx, d.ID); err != nil {
		return nil, err
	}
	if p.Payments, err = c.Store.PaymentsOfDebtor(ctx, d.ID); err != nil {
		return nil, err
	}
	rows, err = c.pool.Query(ctx, "SELECT id, channel, status FROM conversations WHERE debtor_id = $1 ORDER BY id", d.ID)
	if err != nil {
		return nil, err
	}
	p.Conversations, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConvLink, error) {
		var l ConvLink
		err := r.Scan(&l.ID, &l.Channel, &l.Status)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	// The timeline: the last 300 messages of the debtor's conversations,
	// payments, plans, promises and reminder attempts, newest first.
	rows, err = c.pool.Query(ctx, `SELECT m.created_at, m.sender, m.text, c.channel, c.id FROM conversations c
		JOIN LATERAL (SELECT * FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 300) m ON true
		WHERE c.debtor_id = $1 ORDER BY m.created_at DESC LIMIT 300`, d.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var it TimelineItem
		var sender, channel string
		if err := rows.Scan(&it.At, &sender, &it.Text, &channel, &it.LinkID); err != nil {
			rows.Close()
			return nil, err
		}
		it.Kind, it.Class = "message", "msg-"+sender
		it.Title = map[string]string{"debtor": "Devedor", "bot": "Robô", "agent": "Atendente", "system": "Sistema"}[sender] + " · " + channelName(channel)
		p.Timeline = append(p.Timeline, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, pay := range p.Payments {
		src := map[string]string{"manual": "registrado pela equipe", "webhook": "Pix", "reconciliation": "Pix (conciliação)", "api": "API", "demo": "demonstração"}[pay.Source]
		p.Timeline = append(p.Timeline, TimelineItem{At: pay.PaidAt, Kind: "payment", Title: "Pagamento " + src, Text: pay.Amount.String(), Class: "payment"})
	}
	for _, pl := range p.Plans {
		p.Timeline = append(p.Timeline, TimelineItem{At: pl.AcceptedAt, Kind: "plan", Title: "Acordo aceito",
			Text: fmt.Sprintf("%d parcela(s), total %s", len(pl.Installments), pl.Total), Class: "plan"})
		if pl.BrokenAt != nil {
			p.Timeline = append(p.Timeline, TimelineItem{At: *pl.BrokenAt, Kind: "plan", Title: "Acordo quebrado", Class: "bad"})
		}
	}
	rows, err = c.pool.Query(ctx, "SELECT created_at, promised_for, amount, status FROM promises WHERE debtor_id = $1", d.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var at, on time.Time
		var amount payments.Cents
		var st string
		if err := rows.Scan(&at, &on, &amount, &st); err != nil {
			rows.Close()
			return nil, err
		}
		p.Timeline = append(p.Timeline, TimelineItem{At: at, Kind: "promise", Title: "Promessa de pagamento (" + statusName(st) + ")",
			Text: "para " + on.Format("02/01/2006") + ", " + amount.String(), Class: "promise"})
	}
	rows.Close()
	if c.Reminders != nil {
		items, err := c.Reminders.Attempts(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		p.Timeline = append(p.Timeline, items...)
	}
	sort.SliceStable(p.Timeline, func(i, j int) bool { return p.Timeline[i].At.After(p.Timeline[j].At) })
	return p, nil
}

// debtorSearch finds debtors by name, external id, phone or document.
func (c *Console) debtorSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	type hit struct {
		ExternalID, Name, Document string
		Phones                     []string
	}
	var hits []hit
	if q != "" {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, q)
		var phone string
		if len(digits) >= 10 {
			phone, _ = payments.NormalizePhone(digits)
		}
		rows, err := c.pool.Query(r.Context(), `
			(SELECT external_id, name, document, phones FROM debtors WHERE external_id = $1)
			UNION (SELECT external_id, name, document, phones FROM debtors WHERE $2 <> '' AND length($2) >= 11 AND document = $2)
			UNION (SELECT external_id, name, document, phones FROM debtors WHERE $3 <> '' AND phones @> ARRAY[$3]::text[])
			UNION (SELECT external_id, name, document, phones FROM debtors WHERE name ILIKE '%' || $1 || '%' LIMIT 50)
			LIMIT 50`, q, digits, phone)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.ExternalID, &h.Name, &h.Document, &h.Phones); err != nil {
				rows.Close()
				c.fail(w, r, err)
				return
			}
			hits = append(hits, h)
		}
		rows.Close()
	}
	c.render(w, r, "debtors", http.StatusOK, map[string]any{"Title": "Devedores", "Q": q, "Hits": hits})
}

func (c *Console) debtorAction(w http.ResponseWriter, r *http.Request) (*payments.Debtor, *User, bool) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return nil, nil, false
	}
	d, err := c.debtorOf(r)
	if err != nil {
		c.fail(w, r, err)
		return nil, nil, false
	}
	return d, userOf(r), true
}

func debtorURL(d *payments.Debtor) string { return "/console/debtors/" + urlPathEscape(d.ExternalID) }

func (c *Console) unlockPost(w http.ResponseWriter, r *http.Request) {
	d, u, ok := c.debtorAction(w, r)
	if !ok {
		return
	}
	if err := c.Bot.UnlockVerification(r.Context(), d.ID, 0); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), u.Email, "debtor.unlock_verification", d.ExternalID, d.ID, nil)
	back(w, r, debtorURL(d), "Verificação desbloqueada.")
}

func (c *Console) pausePost(w http.ResponseWriter, r *http.Request) {
	d, u, ok := c.debtorAction(w, r)
	if !ok {
		return
	}
	pause := r.PostFormValue("pause") == "1"
	_, err := c.pool.Exec(r.Context(), `UPDATE debtors SET regua_paused_at = CASE WHEN $2 THEN coalesce(regua_paused_at, now()) END, updated_at = now()
		WHERE id = $1`, d.ID, pause)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	action, msg := "debtor.regua_resume", "Régua retomada."
	if pause {
		action, msg = "debtor.regua_pause", "Régua pausada para este devedor."
	}
	c.audit(r.Context(), u.Email, action, d.ExternalID, d.ID, nil)
	back(w, r, debtorURL(d), msg)
}

func (c *Console) manualPaymentPost(w http.ResponseWriter, r *http.Request) {
	d, u, ok := c.debtorAction(w, r)
	if !ok {
		return
	}
	amount, err := payments.ParseCents(r.PostFormValue("amount"))
	if err != nil || amount <= 0 {
		c.fail(w, r, payments.Invalid("amount", "informe um valor maior que zero, como 150,00"))
		return
	}
	in := payments.ManualPayment{Key: "console:" + r.PostFormValue("key"), DebtorID: d.ID, Amount: amount,
		Reason: r.PostFormValue("reason"), Actor: "console:" + u.Email}
	if r.PostFormValue("key") == "" {
		c.fail(w, r, payments.Invalid("key", "formulário sem chave: recarregue a página"))
		return
	}
	if v := r.PostFormValue("paid_on"); v != "" {
		day, err := time.ParseInLocation(time.DateOnly, v, c.Ledger.Location())
		if err != nil || day.After(c.now()) {
			c.fail(w, r, payments.Invalid("paid_on", "data inválida ou no futuro"))
			return
		}
		in.PaidAt = day.Add(12 * time.Hour)
	}
	if ch := r.PostFormValue("charge"); ch != "" {
		id, err := c.chargeOf(r.Context(), d, ch)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		in.ChargeID, in.DebtorID = id, 0
	}
	res, err := c.Ledger.RecordManualPayment(r.Context(), in)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if !res.Duplicate {
		c.audit(r.Context(), u.Email, "debtor.manual_payment", d.ExternalID, d.ID, map[string]any{"payment_id": res.PaymentID, "amount": amount.Decimal()})
	}
	back(w, r, debtorURL(d), "Pagamento de "+amount.String()+" registrado.")
}

func (c *Console) chargeOf(ctx context.Context, d *payments.Debtor, id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, payments.Invalid("charge", "cobrança inválida")
	}
	ch, err := c.Store.ChargeByID(ctx, n)
	if err != nil || ch.DebtorID != d.ID {
		return 0, payments.Errorf(payments.ENOTFOUND, "cobrança não encontrada para este devedor")
	}
	return n, nil
}

func (c *Console) cancelChargePost(w http.ResponseWriter, r *http.Request) {
	c.chargeAction(w, r, "cancel")
}

func (c *Console) writeOffPost(w http.ResponseWriter, r *http.Request) {
	c.chargeAction(w, r, "writeoff")
}

func (c *Console) chargeAction(w http.ResponseWriter, r *http.Request, kind string) {
	d, u, ok := c.debtorAction(w, r)
	if !ok {
		return
	}
	id, err := c.chargeOf(r.Context(), d, r.PathValue("charge"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if strings.TrimSpace(r.PostFormValue("reason")) == "" {
		c.fail(w, r, payments.Invalid("reason", "informe o motivo"))
		return
	}
	key := fmt.Sprintf("console:%s:%d", kind, id)
	msg := "Cobrança cancelada."
	if kind == "cancel" {
		err = c.Ledger.CancelCharge(r.Context(), id, key)
	} else {
		err = c.Ledger.WriteOff(r.Context(), id, key, "written off by staff")
		msg = "Cobrança baixada como perda."
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), u.Email, "charge."+kind, d.ExternalID, d.ID, map[string]any{"charge_id": id, "reason": strings.TrimSpace(r.PostFormValue("reason"))})
	back(w, r, debtorURL(d), msg)
}
