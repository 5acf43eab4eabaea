package whatsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.mau.fi/whatsmeow/types/events"
)

// Connection states (whatsapp_connection.state, /readyz, /metrics).
const (
	StateUnpaired     = "unpaired"     // no number linked: `regua whatsapp pair`
	StateConnecting   = "connecting"   // linked, not connected yet
	StateConnected    = "connected"    // sending and receiving
	StateDisconnected = "disconnected" // lost; reconnecting with back-off (messages wait in the outbox)
	StateLoggedOut    = "logged_out"   // unlinked from the phone: pair again
	StateBanned       = "banned"       // WhatsApp banned the number (for a while or for good)
	StateReplaced     = "replaced"     // another client took the session
	StateOutdated     = "outdated"     // WhatsApp refuses this client version: update Régua
)

// States lists every state (for the metrics' gauge).
var States = []string{StateUnpaired, StateConnecting, StateConnected, StateDisconnected,
	StateLoggedOut, StateBanned, StateReplaced, StateOutdated}

// Transition is what a connection event means.
type Transition struct {
	State  string
	Detail string // for staff, pt-BR
	// Usable: messages may be queued (they go once connected). False stops
	// sending on WhatsApp: callers fall back to another channel.
	Usable bool
	// Permanent: reconnecting will not help; staff must act.
	Permanent bool
}

// Interpret says what a whatsmeow connection event means (ok false for
// events that are not about the connection).
func Interpret(evt any) (Transition, bool) {
	switch e := evt.(type) {
	case *events.Connected:
		return Transition{State: StateConnected, Usable: true}, true
	case *events.Disconnected:
		return Transition{State: StateDisconnected, Detail: "Conexão com o WhatsApp perdida; reconectando.", Usable: true}, true
	case *events.KeepAliveTimeout:
		return Transition{}, false
	case *events.LoggedOut:
		return Transition{State: StateLoggedOut, Permanent: true,
			Detail: fmt.Sprintf("O número foi desconectado do WhatsApp (%s). Vincule de novo com `regua whatsapp pair`.", e.Reason)}, true
	case *events.TemporaryBan:
		return Transition{State: StateBanned, Permanent: true,
			Detail: fmt.Sprintf("O WhatsApp baniu o número temporariamente (%s; código %d), por %s. Nada será enviado por WhatsApp.", e.Code, int(e.Code), e.Expire.Round(time.Minute))}, true
	case *events.StreamReplaced:
		return Transition{State: StateReplaced, Permanent: true,
			Detail: "Outra conexão assumiu esta sessão do WhatsApp (o mesmo aparelho vinculado em outro lugar?). Régua parou de usar o número."}, true
	case *events.ClientOutdated:
		return Transition{State: StateOutdated, Permanent: true,
			Detail: "O WhatsApp recusou esta versão do cliente: atualize o Régua."}, true
	case *events.ConnectFailure:
		// 406 is what WhatsApp Web calls BANNED; whatsmeow counts it as a
		// logout, but staff must hear "banned".
		if e.Reason == events.ConnectFailureTempBanned || e.Reason == events.ConnectFailureUnknownLogout {
			return Transition{State: StateBanned, Permanent: true, Detail: "O WhatsApp baniu o número: " + e.Reason.String()}, true
		}
		if e.Reason.IsLoggedOut() {
			return Transition{State: StateLoggedOut, Permanent: true,
				Detail: fmt.Sprintf("O número foi desconectado do WhatsApp (%s). Vincule de novo com `regua whatsapp pair`.", e.Reason)}, true
		}
		if e.Reason == events.ConnectFailureClientOutdated {
			return Transition{State: StateOutdated, Permanent: true, Detail: "O WhatsApp recusou esta versão do cliente: atualize o Régua."}, true
		}
		return Transition{State: StateDisconnected, Usable: true, Detail: "O WhatsApp recusou a conexão: " + e.Reason.String() + "; tentando de novo."}, true
	case *events.PairSuccess:
		return Transition{State: StateConnecting, Usable: true}, true
	}
	return Transition{}, false
}

// ConnState is the connection's row.
type ConnState struct {
	Holder     string     `json:"holder,omitempty"`
	LeaseUntil time.Time  `json:"lease_until"`
	State      string     `json:"state"`
	Detail     string     `json:"detail,omitempty"`
	Usable     bool       `json:"usable"`
	Number     string     `json:"number,omitempty"` // digits with country code
	PairedAt   *time.Time `json:"paired_at,omitempty"`
	ChangedAt  time.Time  `json:"changed_at"`
}

// conn keeps whatsapp_connection: the lease and the state.
type conn struct{ pool *pgxpool.Pool }

// lease takes or renews the lease for holder until ttl from the
// database's clock: it is free, expired, or already holder's. It reports
// whether holder has it.
func (c conn) lease(ctx context.Context, holder string, ttl time.Duration) (bool, error) {
	tag, err := c.pool.Exec(ctx, `UPDATE whatsapp_connection SET holder = $1, lease_until = now() + $2 * interval '1 millisecond'
		WHERE holder = $1 OR holder = '' OR lease_until < now()`, holder, ttl.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("whatsapp: lease: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// release gives the lease up (on a clean shutdown) so another replica takes
// it at once.
func (c conn) release(ctx context.Context, holder string) error {
	_, err := c.pool.Exec(ctx, "UPDATE whatsapp_connection SET holder = '', lease_until = 'epoch' WHERE holder = $1", holder)
	if err != nil {
		return fmt.Errorf("whatsapp: release lease: %w", err)
	}
	return nil
}

// set records a state; number "" keeps the one stored.
func (c conn) set(ctx context.Context, t Transition, number string) error {
	_, err := c.pool.Exec(ctx, `UPDATE whatsapp_connection SET state = $1, detail = $2, usable = $3,
		number = CASE WHEN $4 = '' THEN number ELSE $4 END, changed_at = now()`, t.State, t.Detail, t.Usable, number)
	if err != nil {
		return fmt.Errorf("whatsapp: connection state: %w", err)
	}
	return nil
}

// paired records a newly linked number.
func (c conn) paired(ctx context.Context, number string, at time.Time) error {
	_, err := c.pool.Exec(ctx, `UPDATE whatsapp_connection SET state = $1, detail = '', usable = true, number = $2, paired_at = $3, changed_at = now()`,
		StateConnecting, number, at)
	if err != nil {
		return fmt.Errorf("whatsapp: paired: %w", err)
	}
	return nil
}

// read reads the row.
func (c conn) read(ctx context.Context) (ConnState, error) {
	var s ConnState
	err := c.pool.QueryRow(ctx, `SELECT holder, lease_until, state, detail, usable, number, paired_at, changed_at FROM whatsapp_connection`).
		Scan(&s.Holder, &s.LeaseUntil, &s.State, &s.Detail, &s.Usable, &s.Number, &s.PairedAt, &s.ChangedAt)
	if err != nil {
		return s, fmt.Errorf("whatsapp: connection: %w", err)
	}
	return s, nil
}

// ReadState reads the connection's state (for `regua whatsapp status`).
func ReadState(ctx context.Context, pool *pgxpool.Pool) (ConnState, error) {
	return conn{pool}.read(ctx)
}

// alert tells staff (staff_alerts, the console's list).
func alert(ctx context.Context, pool *pgxpool.Pool, message string) error {
	_, err := pool.Exec(ctx, "INSERT INTO staff_alerts (kind, message) VALUES ('whatsapp', $1)", message)
	if err != nil {
		return fmt.Errorf("whatsapp: alert: %w", err)
	}
	return nil
}
