// Package whatsapp is Régua's WhatsApp channel, on go.mau.fi/whatsmeow (a
// business's own number linked as a companion device).
//
// It translates whatsmeow's events into one call of the conversation
// service per message (direct chats only; groups, broadcasts, status and
// newsletters are ignored and counted) and delivers the replies as plain
// text with numbered menus (buttons do not render reliably on this
// protocol), a Pix code as a QR image with a caption followed by the
// copia-e-cola alone in its own message.
//
// Every outgoing message goes through a durable outbox in PostgreSQL and is
// delivered by the one replica that holds the connection (a lease), paced
// by the send governor: minimum spacing with jitter, per-minute, per-hour
// and per-day budgets, a warm-up ramp for a newly linked number, a cap on
// messages to people who never wrote, and replies before anything the
// business starts. Its state lives in PostgreSQL, so it holds across
// restarts and replicas.
//
// whatsmeow stays behind the narrow Client interface (client.go; meow.go is
// the only file that calls the library's client); translation both ways
// (convert.go, render.go) and the governor (governor.go) are pure and
// tested with whatsmeow's own types built by hand.
//
// The adapter never decides what to say about a debt (those words are the
// engine's); it must never send outside the governor, never identify a
// person by anything but the phone number, and never import another
// channel's adapter.
package whatsapp
