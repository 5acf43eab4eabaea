-- Early payoff of an installment plan (CDC art. 52 §2): a Pix code for
-- what settles the rest of a plan today. Its amount is the present value of
-- the remaining installments on the day it was issued; the payment is
-- applied to the plan that plan_id names.
ALTER TABLE pix_codes DROP CONSTRAINT pix_codes_scope_check;
ALTER TABLE pix_codes ADD CONSTRAINT pix_codes_scope_check CHECK (scope IN ('charge', 'debtor', 'installment', 'plan_payoff'));
ALTER TABLE pix_codes ADD COLUMN plan_id bigint REFERENCES plans (id);
ALTER TABLE pix_codes ADD CONSTRAINT pix_codes_plan_check CHECK ((scope = 'plan_payoff') = (plan_id IS NOT NULL));
CREATE INDEX pix_codes_plan_idx ON pix_codes (plan_id, issued_on) WHERE plan_id IS NOT NULL;
