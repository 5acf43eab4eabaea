package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/internal/postgres/pgtest"
)

func TestUserAdd(t *testing.T) {
	db := pgtest.NewDatabase(t)
	t.Setenv("REGUA_DATABASE_URL", db)
	ctx := context.Background()
	for _, tc := range []struct {
		args  []string
		stdin string
		code  int
		err   string
	}{
		{[]string{"user"}, "", 2, "usage"},
		{[]string{"user", "add", "--email", "ana@empresa.com.br"}, "", 2, "--role"},
		{[]string{"user", "add", "--email", "ana@empresa.com.br", "--role", "agent"}, "curta\n", 1, "at least 12"},
		{[]string{"user", "add", "--email", "ana@empresa.com.br", "--role", "boss"}, "uma senha bem comprida\n", 1, "--role"},
		{[]string{"user", "add", "--email", "ana", "--role", "agent"}, "uma senha bem comprida\n", 1, "--email"},
		{[]string{"user", "add", "--email", "Ana@Empresa.com.br", "--role", "admin"}, "uma senha bem comprida\n", 0, ""},
		{[]string{"user", "add", "--email", "ana@empresa.com.br", "--role", "agent"}, "uma senha bem comprida\n", 1, "already exists"},
	} {
		var out, errb bytes.Buffer
		code := run(ctx, tc.args, strings.NewReader(tc.stdin), &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errb.String())
		}
		if strings.Contains(out.String()+errb.String(), "uma senha bem comprida") {
			t.Errorf("%v printed the password", tc.args)
		}
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var role, hash string
	if err := conn.QueryRow(ctx, "SELECT role, password_hash FROM console_users WHERE email = 'ana@empresa.com.br'").Scan(&role, &hash); err != nil {
		t.Fatal(err)
	}
	if role != "admin" || !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("stored %s %s", role, hash)
	}
}
