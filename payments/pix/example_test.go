package pix_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/regua/regua/payments/pix"
)

func ExampleEncode() {
	txid, _ := pix.NewTxID(pix.TxIDKindCharge, 42)
	code, err := pix.Encode(pix.Payload{
		Key:          "cobranca@padaria.com.br",
		Amount:       15000, // R$ 150,00
		MerchantName: "Padaria Pão de Açúcar Ltda",
		MerchantCity: "São Paulo",
		TxID:         txid,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code)
	// Output:
	// 00020126450014br.gov.bcb.pix0123cobranca@padaria.com.br5204000053039865406150.005802BR5925Padaria Pao de Acucar Ltd6009Sao Paulo62130509RGCHG42846304C138
}

func ExampleDecode() {
	p, err := pix.Decode("00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4")
	if err != nil {
		fmt.Println(err)
		return
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(p)
	// Output:
	// {
	//   "key": "",
	//   "description": "",
	//   "url": "pix.example.com/8b3da2f39a4140d1a91abd93113bd441",
	//   "amount": "",
	//   "merchant_name": "Fulano de Tal",
	//   "merchant_city": "BRASILIA",
	//   "postal_code": "",
	//   "txid": "***",
	//   "dynamic": true,
	//   "crc": "64E4",
	//   "warnings": [],
	//   "unknown_fields": {}
	// }
}

func ExampleDecode_error() {
	_, err := pix.Decode("00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulana de Tal6008BRASILIA62070503***63041D3D")
	fmt.Println(errors.Is(err, pix.ErrCRC))
	fmt.Println(err)
	// Output:
	// true
	// pix: field 63 (CRC) at position 133: wrong CRC: payload says 1D3D, computed 5669
}

func ExampleValidateKey() {
	for _, k := range []string{"123.456.789-09", "+55 (11) 98765-4321", "Fulano@Example.com", "123E4567-E12B-12D1-A456-426655440000", "12.ABC.345/01DE-35"} {
		key, kind, err := pix.ValidateKey(k)
		fmt.Println(kind, key, err)
	}
	// Output:
	// cpf 12345678909 <nil>
	// phone +5511987654321 <nil>
	// email fulano@example.com <nil>
	// evp 123e4567-e12b-12d1-a456-426655440000 <nil>
	// cnpj 12ABC34501DE35 <nil>
}

func ExampleParseTxID() {
	static, _ := pix.NewTxID(pix.TxIDKindInstallment, 7)
	api, _ := pix.NewAPITxID(pix.TxIDKindInstallment, 7)
	fmt.Println(static, api)
	kind, id, err := pix.ParseTxID(api)
	fmt.Println(kind, id, err)
	_, _, err = pix.ParseTxID("fc9a4366ff3d4964b5dbc6c91a8722d3")
	fmt.Println(errors.Is(err, pix.ErrInvalidTxID))
	// Output:
	// RGINST798 RGINST00000000000000000740
	// INST 7 <nil>
	// true
}
