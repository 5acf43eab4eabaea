// Package bot is the contract between messaging channels and the
// conversation engine, and the service that runs one conversational turn:
// de-duplicate the inbound message, take the conversation's turn in order
// (across replicas), load the session (Redis) and the facts (PostgreSQL),
// step the pure engine, perform its actions (Pix codes, plans, promises,
// handoff, preferences), store the session and every message, and hand the
// replies back to the channel.
//
// Channel adapters (bot/webchat, bot/telegram, bot/whatsapp) translate their
// platform's events into Inbound and deliver Reply values; they never decide
// what to say, and they never import each other.
package bot
