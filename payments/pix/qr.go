package pix

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// QR image sizes, in pixels (the image is square).
const (
	DefaultQRSize = 512 // sharp on a phone screen, small enough for a chat message
	MaxQRSize     = 4096
)

// QRPNG draws payload as a QR code PNG of size×size pixels (size <= 0 means
// DefaultQRSize) with medium (15%) error correction, the level banks' apps
// read reliably at BR Code lengths.
func QRPNG(payload string, size int) ([]byte, error) {
	if payload == "" {
		return nil, fmt.Errorf("pix: qr: empty payload")
	}
	if size <= 0 {
		size = DefaultQRSize
	}
	if size > MaxQRSize {
		return nil, fmt.Errorf("pix: qr: size %d is more than %d pixels", size, MaxQRSize)
	}
	png, err := qrcode.Encode(payload, qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("pix: qr: %w", err)
	}
	return png, nil
}
