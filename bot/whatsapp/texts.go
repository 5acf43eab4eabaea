package whatsapp

// What this adapter says on its own: only about the channel itself, never
// about a debt. Everything else comes from the conversation engine.
const (
	txtChoose        = "Escolha uma opção (responda com o número):"
	txtTryAgainLater = "Desculpe, tive um problema para responder agora. Pode tentar de novo em alguns minutos?"
	// txtTooBig: a file over the size Régua keeps (%d is the limit in MB).
	txtTooBig = "Esse arquivo é grande demais para eu receber por aqui (o limite é %d MB). Pode mandar uma foto do comprovante ou um PDF menor?"
)
