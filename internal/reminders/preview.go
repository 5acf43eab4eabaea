package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations/regua"
)

// Line is one due step in a preview (SPEC: `regua reminders preview`).
type Line struct {
	ChargeExternalID string     `json:"charge_external_id"`
	DebtorExternalID string     `json:"debtor_external_id"`
	Step             string     `json:"step"`
	Decision         string     `json:"decision"` // send or hold
	Channel          string     `json:"channel,omitempty"`
	Reason           string     `json:"reason,omitempty"`
	Detail           string     `json:"detail,omitempty"`
	NextAt           *time.Time `json:"next_at,omitempty"`
}

// previewSQL reads a page of the charges (kind 'c') and installments ('i')
// that may have a step due, with everything the decision needs. Read only.
const previewSQL = `
	WITH items AS (
		SELECT 'c' AS kind, c.id, c.external_id AS charge_ext, c.debtor_id, c.due_date, c.status, 0 AS number,
		       (SELECT max(r.step_offset) FROM reminders r WHERE r.charge_id = c.id AND r.status <> 'planned') AS last
		FROM charges c
		WHERE $6 = 'c' AND c.status IN ('open', 'in_plan') AND c.id > $1 AND c.due_date BETWEEN $2 AND $3
		  AND ($4 = '' OR c.debtor_id = (SELECT id FROM debtors WHERE external_id = $4))
		UNION ALL
		SELECT 'i', i.id, coalesce((SELECT min(c2.external_id) FROM plan_charges pc JOIN charges c2 ON c2.id = pc.charge_id WHERE pc.plan_id = p.id), ''),
		       p.debtor_id, i.due_date, 'open', i.number,
		       (SELECT max(r.step_offset) FROM reminders r WHERE r.installment_id = i.id AND r.status <> 'planned')
		FROM plan_installments i JOIN plans p ON p.id = i.plan_id
		WHERE $6 = 'i' AND i.status = 'open' AND p.status = 'active' AND i.id > $1 AND i.due_date BETWEEN $2 AND $3
		  AND ($4 = '' OR p.debtor_id = (SELECT id FROM debtors WHERE external_id = $4))
		ORDER BY 2 LIMIT 1000
	)
	SELECT x.id, x.charge_ext, d.external_id, d.id, x.due_date, x.status, x.number, x.last,
	       d.name, d.state, d.phones, d.email, d.preferred_channel, d.regua_paused_at IS NOT NULL,
	       EXISTS (SELECT 1 FROM promises pr WHERE pr.debtor_id = d.id AND pr.status = 'open' AND pr.promised_for >= $5),
	       EXISTS (SELECT 1 FROM charges ch WHERE ch.debtor_id = d.id AND ch.status IN ('open', 'in_plan') AND ch.disputed_at IS NOT NULL),
	       ARRAY(SELECT r.sent_at FROM reminders r WHERE r.debtor_id = d.id AND r.sent_at > $7 AND r.sent_at <= $8
	             AND r.status IN ('sending', 'sent', 'delivered', 'read'))
	FROM items x JOIN debtors d ON d.id = x.debtor_id
	ORDER BY x.id`

// Preview says, for every reminder step due at the instant at, whether it
// would go and on which channel, or why it is held and until when. It
// changes nothing: it reads, and asks the gate (which only reads).
// debtorExt limits it to one debtor ("" for all).
func (d *Dispatcher) Preview(ctx context.Context, at time.Time, debtorExt string, emit func(Line) error) error {
	cfg, err := d.Configs.Current(ctx)
	if err != nil {
		return err
	}
	lo, hi := offsetRange(cfg)
	today := regua.DateOf(at.In(d.Loc))
	from, to := today.AddDays(-hi-1).In(time.UTC), today.AddDays(-lo+1).In(time.UTC)
	for _, kind := range []string{"c", "i"} {
		var after int64
		for {
			rows, err := d.Pool.Query(ctx, previewSQL, after, from, to, debtorExt, today.In(time.UTC), kind, at.Add(-7*24*time.Hour), at)
			if err != nil {
				return fmt.Errorf("regua: preview: %w", err)
			}
			type row struct {
				f       facts
				id      int64
				charge  string
				debtor  string
				last    *int32
				paused  bool
				dispute bool
			}
			var page []row
			for rows.Next() {
				var r row
				var number int32
				if err := rows.Scan(&r.id, &r.charge, &r.debtor, &r.f.debtorID, &r.f.due, &r.f.chargeStatus, &number, &r.last,
					&r.f.name, &r.f.state, &r.f.phones, &r.f.email, &r.f.preferred, &r.paused, &r.f.promise, &r.dispute, &r.f.recent); err != nil {
					rows.Close()
					return fmt.Errorf("regua: preview: %w", err)
				}
				r.f.number = int(number)
				page = append(page, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("regua: preview: %w", err)
			}
			for _, r := range page {
				after = r.id
				f := r.f
				cal := cfg.CalendarFor(regua.StateOf(f.state, f.phone()), d.Loc)
				it := regua.Item{Key: key(r.id, kind == "i"), Installment: f.number, Due: regua.DateOf(f.due)}
				if r.last != nil {
					l := int(*r.last)
					it.LastOffset = &l
				}
				step, ok := cfg.DueStep(it, regua.DateOf(at.In(cal.Loc)))
				if !ok {
					continue
				}
				line := Line{ChargeExternalID: r.charge, DebtorExternalID: r.debtor, Step: regua.StepName(step.Offset, f.number)}
				stops := regua.Stops{InPlan: f.chargeStatus == "in_plan", Promise: f.promise, Dispute: r.dispute, Paused: r.paused}
				dec := cfg.Decide(cal, it.Key+uint64(step.Offset+1000), stops, capsOf(f.recent, at, cal.Loc), at)
				if !dec.Send {
					line.Decision, line.Reason, line.Detail = "hold", dec.Reason, dec.Detail
					if !dec.At.IsZero() {
						line.NextAt = &dec.At
					}
				} else {
					if dec.At.After(at) {
						line.NextAt, line.Detail = &dec.At, "espalhado pela manhã"
					}
					f.offset = step.Offset
					d.previewChannel(ctx, &f, step, &line)
				}
				if err := emit(line); err != nil {
					return err
				}
			}
			if len(page) < 1000 {
				break
			}
		}
	}
	return nil
}

// previewChannel picks the channel as the dispatcher would: the first that
// can reach and that the gate lets through.
func (d *Dispatcher) previewChannel(ctx context.Context, f *facts, step regua.Step, line *Line) {
	targets := d.targets(ctx, f, step)
	first := ""
	for _, t := range targets {
		h, err := d.Bot.Gate(ctx, nil, t.channel, t.chat, f.debtorID)
		if err != nil {
			line.Decision, line.Reason, line.Detail = "hold", "", "erro ao consultar: "+err.Error()
			return
		}
		if h == bot.HoldNone {
			line.Decision, line.Channel = "send", t.channel
			return
		}
		if first == "" {
			first = string(h)
		}
	}
	line.Decision = "hold"
	if first != "" {
		line.Reason, line.Detail = first, "bloqueado pela regra de contato"
		return
	}
	line.Reason, line.Detail = "no_channel", "nenhum canal alcança o devedor"
}
