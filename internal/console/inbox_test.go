package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/regua/regua/internal/console"
)

// chat posts a message as the holder of phone in the web chat and returns
// the bot's replies' texts.
func (e *env) chat(t *testing.T, phone, text string) []string {
	t.Helper()
	res, err := http.Post(e.url+"/chat/api/"+url.PathEscape(phone)+"/messages", "application/json", strings.NewReader(fmt.Sprintf(`{"text":%q}`, text)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Replies []struct{ Text string } `json:"replies"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	texts := make([]string, len(out.Replies))
	for i, r := range out.Replies {
		texts[i] = r.Text
	}
	return texts
}

func (e *env) conversationOf(t *testing.T, phone string) (id int64, status string) {
	t.Helper()
	if err := e.m.Pool.QueryRow(context.Background(), "SELECT id, status FROM conversations WHERE channel = 'webchat' AND chat = $1", phone).Scan(&id, &status); err != nil {
		t.Fatal(err)
	}
	return id, status
}

// escalate makes Maria (cli-001) verify and ask for a person.
func (e *env) escalate(t *testing.T) int64 {
	t.Helper()
	const phone = "+5511999000001"
	e.chat(t, phone, "oi")
	e.chat(t, phone, "123")
	e.chat(t, phone, "quero falar com um atendente")
	id, status := e.conversationOf(t, phone)
	if status != "waiting_agent" {
		t.Fatalf("status %s after asking for a person", status)
	}
	return id
}

func TestTwoAgentsClaimAtOnce(t *testing.T) {
	e := setup(t)
	id := e.escalate(t)
	const n = 8
	users := make([]*console.User, n)
	for i := range users {
		email := fmt.Sprintf("agente%d@regua.test", i)
		u, err := console.CreateUser(context.Background(), e.m.Pool, email, console.RoleAgent, password, "test")
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = e.m.Console.Claim(context.Background(), users[i], id)
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		var ec *console.ErrClaimed
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("two winners: %d and %d", winner, i)
			}
			winner = i
		case errors.As(err, &ec):
		default:
			t.Fatalf("agent %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody won the claim")
	}
	for i, err := range errs {
		var ec *console.ErrClaimed
		if i != winner && (!errors.As(err, &ec) || ec.By != users[winner].Email) {
			t.Fatalf("loser %d told %v, want the winner %s", i, err, users[winner].Email)
		}
	}
	if _, status := e.conversationOf(t, "+5511999000001"); status != "with_agent" {
		t.Fatalf("status %s after the claim", status)
	}
	var claims int
	e.m.Pool.QueryRow(context.Background(), "SELECT count(*) FROM conversation_claims WHERE conversation_id = $1", id).Scan(&claims)
	if claims != 1 {
		t.Fatalf("%d claims", claims)
	}
	// Handed back by another path (the API's release): the claim goes too.
	if err := e.m.Bot.Release(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.m.Pool.QueryRow(context.Background(), "SELECT count(*) FROM conversation_claims WHERE conversation_id = $1", id).Scan(&claims)
	if claims != 0 {
		t.Fatal("the claim outlived the hand back")
	}
}

// The takeover over HTTP: the inbox lists the conversation with its reason
// and amount; a claim silences the bot; the reply reaches the web chat;
// another agent is refused; hand back gives the bot its voice again.
func TestTakeoverOverHTTP(t *testing.T) {
	e := setup(t)
	e.user(t, "ana@regua.test", console.RoleAgent)
	e.user(t, "bia@regua.test", console.RoleAgent)
	ana, bia := e.client(t), e.client(t)
	ana.login("ana@regua.test")
	bia.login("bia@regua.test")
	id := e.escalate(t)
	_, body := ana.get("/console/")
	if !strings.Contains(body, "Maria da Silva") || !strings.Contains(body, "pediu para falar com uma pessoa") || !strings.Contains(body, "R$") {
		t.Fatalf("inbox does not show the conversation: %s", body)
	}
	_, body = ana.get("/console/?q=12345678909")
	if !strings.Contains(body, "Maria da Silva") {
		t.Fatal("search by document misses")
	}
	_, body = ana.get("/console/?reason=dispute")
	if strings.Contains(body, "Maria da Silva") {
		t.Fatal("the dispute filter shows a request for a person")
	}
	path := fmt.Sprintf("/console/conversations/%d", id)
	if res, _ := ana.post(path+"/reply", url.Values{"text": {"oi"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("reply before claiming: %d", res.StatusCode)
	}
	if res, _ := ana.post(path+"/claim", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: %d", res.StatusCode)
	}
	res, _ := bia.post(path+"/claim", nil)
	if loc := res.Header.Get("Location"); !strings.Contains(loc, url.QueryEscape("ana@regua.test")) {
		t.Fatalf("second claim not told who holds it: %s", loc)
	}
	if res, _ := bia.post(path+"/reply", url.Values{"text": {"sou a bia"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("reply by another agent: %d", res.StatusCode)
	}
	if replies := e.chat(t, "+5511999000001", "alô? tem alguém aí?"); len(replies) != 0 {
		t.Fatalf("the bot answered while an agent holds the chat: %q", replies)
	}
	if res, body := ana.post(path+"/reply", url.Values{"text": {"Olá Maria, aqui é a Ana."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", res.StatusCode, body)
	}
	if res, body := ana.post(path+"/quick", url.Values{"action": {"pix_total"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pix: %d %s", res.StatusCode, body)
	}
	if res, body := ana.post(path+"/quick", url.Values{"action": {"balance"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("balance: %d %s", res.StatusCode, body)
	}
	if res, body := ana.post(path+"/note", url.Values{"text": {"prometeu pagar sexta"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d %s", res.StatusCode, body)
	}
	r2, err := http.Get(e.url + "/chat/api/%2B5511999000001/messages")
	if err != nil {
		t.Fatal(err)
	}
	var hist struct {
		Messages []struct {
			Sender, Text string
			Pix          *struct{ Payload string }
		}
	}
	json.NewDecoder(r2.Body).Decode(&hist)
	msgs := hist.Messages
	r2.Body.Close()
	var sawReply, sawPix bool
	for _, m := range msgs {
		sawReply = sawReply || m.Sender == "agent" && m.Text == "Olá Maria, aqui é a Ana."
		sawPix = sawPix || m.Sender == "agent" && m.Pix != nil && strings.HasPrefix(m.Pix.Payload, "000201")
	}
	if !sawReply || !sawPix {
		t.Fatalf("the debtor's chat lacks the agent's reply (%v) or Pix (%v): %+v", sawReply, sawPix, msgs)
	}
	_, body = ana.get(path)
	if !strings.Contains(body, "prometeu pagar sexta") || !strings.Contains(body, "alô? tem alguém aí?") {
		t.Fatal("conversation page lacks the note or the debtor's message")
	}
	if res, _ := ana.post(path+"/release", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d", res.StatusCode)
	}
	if replies := e.chat(t, "+5511999000001", "saldo"); len(replies) == 0 {
		t.Fatal("the bot stays silent after the hand back")
	}
	// Close with an outcome.
	id = e.escalate(t)
	ana.post(fmt.Sprintf("/console/conversations/%d/claim", id), nil)
	if res, body := ana.post(fmt.Sprintf("/console/conversations/%d/close", id), url.Values{"outcome": {"promise"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d %s", res.StatusCode, body)
	}
	if _, status := e.conversationOf(t, "+5511999000001"); status != "closed" {
		t.Fatalf("status %s after close", status)
	}
	var actions []string
	rows, _ := e.m.Pool.Query(context.Background(), "SELECT action FROM audit_log WHERE actor = 'ana@regua.test' ORDER BY id")
	for rows.Next() {
		var a string
		rows.Scan(&a)
		actions = append(actions, a)
	}
	rows.Close()
	got := strings.Join(actions, ",")
	for _, want := range []string{"conversation.claim", "conversation.reply", "conversation.quick", "conversation.note", "conversation.release", "conversation.close"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
}

// A chat not linked to its debtor yet (a reminder's, handed to staff at
// D+30) shows the debtor its phone belongs to, marked as not verified.
func TestInboxShowsDebtorByPhone(t *testing.T) {
	e := setup(t)
	e.user(t, "ana@regua.test", console.RoleAgent)
	c := e.client(t)
	c.login("ana@regua.test")
	ctx := context.Background()
	var id int64
	if err := e.m.Pool.QueryRow(ctx, "INSERT INTO conversations (channel, chat) VALUES ('webchat', '+5511999000001') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	e.m.Pool.Exec(ctx, "UPDATE conversations SET status = 'waiting_agent', status_reason = 'régua: D+30' WHERE id = $1", id)
	_, body := c.get("/console/?reason=d30")
	if !strings.Contains(body, "Maria da Silva") || !strings.Contains(body, "identidade não confirmada") {
		t.Fatalf("inbox row: %s", body)
	}
}
