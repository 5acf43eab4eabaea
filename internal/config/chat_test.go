package config

import "testing"

func TestLoadChat(t *testing.T) {
	env := map[string]string{
		"REGUA_SUPPORT_HOURS":      " de segunda a sexta, das 9h às 18h ",
		"REGUA_OTHER_PAY_METHODS":  "boleto, pedindo a uma pessoa da equipe",
		"REGUA_CREDIT_BUREAU_DAYS": "45",
	}
	c, err := loadChat(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SupportHours != "de segunda a sexta, das 9h às 18h" || c.OtherPayMethods != "boleto, pedindo a uma pessoa da equipe" || c.CreditBureauDays != 45 {
		t.Fatalf("%+v", c)
	}
	if c, err := loadChat(func(string) string { return "" }); err != nil || c != (ChatSettings{}) {
		t.Fatalf("empty: %+v %v", c, err)
	}
	for name, v := range map[string]string{
		"REGUA_CREDIT_BUREAU_DAYS": "-1",
		"REGUA_SUPPORT_HOURS":      "*sempre*",
		"REGUA_OTHER_PAY_METHODS":  "boleto\ncartão",
	} {
		_, err := loadChat(func(k string) string {
			if k == name {
				return v
			}
			return ""
		})
		if e, ok := err.(*Error); !ok || e.Var != name {
			t.Errorf("%s=%q: error %v, want one naming it", name, v, err)
		}
	}
	if _, err := loadChat(func(k string) string {
		if k == "REGUA_CREDIT_BUREAU_DAYS" {
			return "trinta"
		}
		return ""
	}); err == nil {
		t.Error("REGUA_CREDIT_BUREAU_DAYS=trinta accepted")
	}
}
