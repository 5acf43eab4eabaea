package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// TestWhatsAppCommands: `regua migrate` prepares the device store, `regua
// whatsapp status` reads the state as JSON, logout with nothing linked says
// so, and a wrong subcommand prints the usage.
func TestWhatsAppCommands(t *testing.T) {
	t.Setenv("REGUA_DATABASE_URL", pgtest.NewDatabase(t))
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"migrate"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, []string{"whatsapp", "status"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("status: %d %s", code, stderr.String())
	}
	var st map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil || st["state"] != "unpaired" || st["usable"] != false {
		t.Fatalf("status: %s (%v)", stdout.String(), err)
	}
	stderr.Reset()
	if code := run(ctx, []string{"whatsapp", "logout"}, strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "No number is linked") {
		t.Fatalf("logout: %d %s", code, stderr.String())
	}
	stderr.Reset()
	if code := run(ctx, []string{"whatsapp", "pair", "--phone"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Fatalf("pair --phone without a value: %d", code)
	}
	// A linked number: pairing again is refused before touching the network.
	pool, err := postgres.Open(ctx, os.Getenv("REGUA_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	dev := postgres.WhatsmeowStore(pool).NewDevice()
	jid := types.NewADJID("5511888000000", 0, 12)
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("d"), AccountSignatureKey: bytes.Repeat([]byte{1}, 32),
		AccountSignature: bytes.Repeat([]byte{2}, 64), DeviceSignature: bytes.Repeat([]byte{3}, 64)}
	if err := dev.Save(ctx); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run(ctx, []string{"whatsapp", "pair"}, strings.NewReader(""), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "+5511888000000 is already linked") {
		t.Fatalf("pair when linked: %d %s", code, stderr.String())
	}
	stderr.Reset()
	if code := run(ctx, []string{"whatsapp", "link"}, strings.NewReader(""), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "regua whatsapp pair") {
		t.Fatalf("unknown subcommand: %d %s", code, stderr.String())
	}
}
