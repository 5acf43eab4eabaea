package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/argon2"

	"github.com/regua/regua/payments"
)

// Roles, from least to most trusted.
const (
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
	RoleAdmin      = "admin"
)

func roleRank(r string) int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// Lockout: this many wrong passwords in a row lock the account for
// lockoutFor.
const (
	maxFailures = 5
	lockoutFor  = 15 * time.Minute
)

// argon2id parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns the argon2id PHC string of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the PHC string hash.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when the email is unknown, so that the answer takes
// as long as for a known one.
var dummyHash, _ = HashPassword("not a real password, only for timing")

// User is a console user.
type User struct {
	ID    int64
	Email string
	Name  string
	Role  string
}

// Can reports whether the user's role is at least role.
func (u *User) Can(role string) bool { return u != nil && roleRank(u.Role) >= roleRank(role) }

// RoleName is the role in Portuguese.
func (u *User) RoleName() string { return roleName(u.Role) }

func roleName(r string) string {
	switch r {
	case RoleAgent:
		return "Atendente"
	case RoleSupervisor:
		return "Supervisor"
	case RoleAdmin:
		return "Administrador"
	}
	return r
}

func validateUser(email, role, password string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if at := strings.Index(email, "@"); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") {
		return "", payments.Invalid("email", "must be an email address")
	}
	if roleRank(role) == 0 {
		return "", payments.Invalid("role", "must be agent, supervisor or admin")
	}
	if len([]rune(password)) < MinPasswordLen {
		return "", payments.Invalid("password", "must have at least %d characters", MinPasswordLen)
	}
	if len(password) > 1024 {
		return "", payments.Invalid("password", "must have at most 1024 bytes")
	}
	return email, nil
}

// CreateUser adds a console user (the CLI's `regua user add` and the admin
// settings). actor is who did it, for the audit log.
func CreateUser(ctx context.Context, pool *pgxpool.Pool, email, role, password, actor string) (*User, error) {
	email, err := validateUser(email, role, password)
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: email, Role: role}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "INSERT INTO console_users (email, role, password_hash) VALUES ($1, $2, $3) RETURNING id",
			email, role, hash).Scan(&u.ID); err != nil {
			return err
		}
		return auditTx(ctx, tx, actor, "user.create", email, 0, map[string]any{"role": role})
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return nil, payments.Errorf(payments.ECONFLICT, "a user with email %s already exists", email)
	}
	if err != nil {
		return nil, fmt.Errorf("console: create user: %w", err)
	}
	return u, nil
}

// errLogin is the one answer to a wrong email or password.
var errLogin = errors.New("E-mail ou senha incorretos.")

// errLocked answers while an account is locked.
var errLocked = errors.New("Muitas tentativas erradas: conta bloqueada por alguns minutos.")

// login checks a password and, when right, opens a session; it returns the
// session token (the cookie's value).
func (c *Console) login(ctx context.Context, email, password, userAgent string) (string, *User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := c.now()
	var u User
	var hash string
	var locked *time.Time
	var disabled bool
	err := c.pool.QueryRow(ctx, "SELECT id, email, name, role, password_hash, locked_until, disabled_at IS NOT NULL FROM console_users WHERE email = $1", email).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &hash, &locked, &disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		checkPassword(dummyHash, password)
		c.audit(ctx, "anonymous", "login.failed", "", 0, map[string]any{"known": false})
		return "", nil, errLogin
	}
	if err != nil {
		return "", nil, fmt.Errorf("console: login: %w", err)
	}
	if locked != nil && now.Before(*locked) {
		c.audit(ctx, u.Email, "login.locked", "", 0, nil)
		return "", nil, errLocked
	}
	if disabled || !checkPassword(hash, password) {
		var failures int
		err := c.pool.QueryRow(ctx, `UPDATE console_users SET
				failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2::timestamptz THEN 1 ELSE failed_logins + 1 END,
				locked_until = NULL
			WHERE id = $1 RETURNING failed_logins`, u.ID, now).Scan(&failures)
		if err == nil && failures >= maxFailures {
			_, err = c.pool.Exec(ctx, "UPDATE console_users SET locked_until = $2 WHERE id = $1", u.ID, now.Add(lockoutFor))
		}
		if err != nil {
			return "", nil, fmt.Errorf("console: login: %w", err)
		}
		c.audit(ctx, u.Email, "login.failed", "", 0, map[string]any{"failures": failures})
		if failures >= maxFailures {
			c.log.Warn("console account locked after wrong passwords", "user_id", u.ID)
			return "", nil, errLocked
		}
		return "", nil, errLogin
	}
	tok := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(tok)
	sum := sha256.Sum256([]byte(token))
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE console_users SET failed_logins = 0, locked_until = NULL WHERE id = $1", u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO console_sessions (token_hash, user_id, created_at, last_seen_at, user_agent) VALUES ($1, $2, $3, $3, $4)",
			sum[:], u.ID, now, userAgent); err != nil {
			return err
		}
		return auditTx(ctx, tx, u.Email, "login", "", 0, nil)
	})
	if err != nil {
		return "", nil, fmt.Errorf("console: login: %w", err)
	}
	return token, &u, nil
}

// session finds the user of a session token; an idle or too old session is
// deleted and refused.
func (c *Console) session(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(token))
	var u User
	var created, seen time.Time
	var disabled bool
	err := c.pool.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.disabled_at IS NOT NULL, s.created_at, s.last_seen_at
		FROM console_sessions s JOIN console_users u ON u.id = s.user_id WHERE s.token_hash = $1`, sum[:]).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &disabled, &created, &seen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console: session: %w", err)
	}
	now := c.now()
	if disabled || now.Sub(seen) > c.IdleTimeout || now.Sub(created) > c.MaxSessionAge {
		c.pool.Exec(ctx, "DELETE FROM console_sessions WHERE token_hash = $1", sum[:])
		return nil, nil
	}
	if now.Sub(seen) > time.Minute {
		c.pool.Exec(ctx, "UPDATE console_sessions SET last_seen_at = $2 WHERE token_hash = $1", sum[:], now)
	}
	return &u, nil
}

func (c *Console) logout(ctx context.Context, token string) {
	sum := sha256.Sum256([]byte(token))
	c.pool.Exec(ctx, "DELETE FROM console_sessions WHERE token_hash = $1", sum[:])
}

func (c *Console) logoutEverywhere(ctx context.Context, userID int64) error {
	_, err := c.pool.Exec(ctx, "DELETE FROM console_sessions WHERE user_id = $1", userID)
	return err
}
