// Package email is the régua's outbound email channel: reminders sent over
// SMTP (REGUA_SMTP_URL, REGUA_MAIL_FROM) as plain text and HTML, in the
// business's name, with a one-click unsubscribe (List-Unsubscribe and
// List-Unsubscribe-Post, RFC 8058) that is honoured like SAIR in a chat.
//
// It delivers; it never decides what to say or whether to send (the régua
// and the gate do), and it receives no mail. A 5xx answer is permanent
// (wraps bot.ErrUnreachable: the régua moves to the next channel); a 4xx
// answer or a network fault is temporary (retry later). It never logs an
// address in full, nor the SMTP password.
package email
