package enforce

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/accord-project/accord"
)

// ReceiptSigner signs consent receipts (Kantara Consent Receipt
// Specification v1.1) as compact JWS with EdDSA, so a client or auditor can
// check later that the receipt they hold is what Accord issued.
type ReceiptSigner struct {
	key          ed25519.PrivateKey
	kid          string
	Jurisdiction string
	PolicyURL    string
}

// NewReceiptSigner returns a signer for key. The key id is the first 8
// bytes of the SHA-256 of the public key, in hex.
func NewReceiptSigner(key ed25519.PrivateKey, jurisdiction, policyURL string) *ReceiptSigner {
	sum := sha256.Sum256(key.Public().(ed25519.PublicKey))
	return &ReceiptSigner{key: key, kid: hex.EncodeToString(sum[:8]), Jurisdiction: jurisdiction, PolicyURL: policyURL}
}

// PublicKey returns the key receipts can be verified with.
func (s *ReceiptSigner) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Receipt is a Kantara v1.1 consent receipt. The PII principal is the
// client's pseudonymous id, never their name.
type Receipt struct {
	Version          string              `json:"version"`
	Jurisdiction     string              `json:"jurisdiction"`
	ConsentTimestamp int64               `json:"consentTimestamp"`
	CollectionMethod string              `json:"collectionMethod"`
	ConsentReceiptID string              `json:"consentReceiptID"`
	PublicKey        string              `json:"publicKey"`
	Language         string              `json:"language"`
	PIIPrincipalID   string              `json:"piiPrincipalId"`
	PIIControllers   []ReceiptController `json:"piiControllers"`
	PolicyURL        string              `json:"policyUrl"`
	Services         []ReceiptService    `json:"services"`
	Sensitive        bool                `json:"sensitive"`
	SPICat           []string            `json:"spiCat"`
	// Accord extensions, which Kantara permits.
	Status       string           `json:"status"`
	Revoked      int64            `json:"revokedTimestamp,omitempty"`
	Guardian     *accord.Guardian `json:"guardian,omitempty"`
	Interpreter  string           `json:"interpreterId,omitempty"`
	CollectedBy  string           `json:"collectedBy"`
	ConsentStart int64            `json:"consentStart"`
	ConsentEnd   int64            `json:"consentEnd,omitempty"`
}

// ReceiptController is a Kantara piiController.
type ReceiptController struct {
	PIIController string `json:"piiController"`
	OnBehalf      bool   `json:"onBehalf"`
	Contact       string `json:"contact"`
	Address       string `json:"address"`
	Email         string `json:"email"`
	Phone         string `json:"phone"`
}

// ReceiptService is a Kantara service with its purposes.
type ReceiptService struct {
	Service  string           `json:"service"`
	Purposes []ReceiptPurpose `json:"purposes"`
}

// ReceiptPurpose is a Kantara purpose; one per consent provision.
type ReceiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
	// Accord extension: "permit" or "deny" (a deny records an explicit refusal).
	Provision string `json:"provisionType"`
}

// BuildReceipt returns the receipt of a consent. orgName resolves organisation names.
func (s *ReceiptSigner) BuildReceipt(c *accord.Consent, orgName func(string) string) Receipt {
	r := Receipt{
		Version:          "KI-CR-v1.1.0",
		Jurisdiction:     s.Jurisdiction,
		ConsentTimestamp: c.CreatedAt.Unix(),
		CollectionMethod: string(c.Method),
		ConsentReceiptID: c.ID,
		PublicKey:        base64.StdEncoding.EncodeToString(s.PublicKey()),
		Language:         c.Language,
		PIIPrincipalID:   c.ClientID,
		PIIControllers:   []ReceiptController{{PIIController: orgName(c.OrganizationID), Contact: "Privacy officer", Address: "-", Email: "-", Phone: "-"}},
		PolicyURL:        s.PolicyURL,
		Status:           string(c.Status),
		Guardian:         c.Guardian,
		Interpreter:      c.InterpreterID,
		CollectedBy:      c.CollectedBy,
		ConsentStart:     c.Start.Unix(),
		SPICat:           []string{},
	}
	if c.End != nil {
		r.ConsentEnd = c.End.Unix()
	}
	if c.RevokedAt != nil {
		r.Revoked = c.RevokedAt.Unix()
	}
	svc := ReceiptService{Service: "Accord partnership data sharing"}
	for i, p := range c.Provisions {
		var recipients []string
		for _, o := range p.Organizations {
			recipients = append(recipients, orgName(o))
		}
		for _, sec := range p.Sectors {
			recipients = append(recipients, "sector:"+string(sec))
		}
		term := "until revoked"
		if p.End != nil {
			term = "until " + p.End.UTC().Format(time.DateOnly) + " or revoked"
		} else if c.End != nil {
			term = "until " + c.End.UTC().Format(time.DateOnly) + " or revoked"
		}
		pur := ReceiptPurpose{
			Purpose:              strings.Join(purposeCodes(p.Purposes), " "),
			PurposeCategory:      purposeCodes(p.Purposes),
			ConsentType:          "EXPLICIT",
			PIICategory:          categoryCodes(p.Categories),
			PrimaryPurpose:       i == 0,
			Termination:          term,
			ThirdPartyDisclosure: len(recipients) > 0,
			ThirdPartyName:       strings.Join(recipients, "; "),
			Provision:            string(p.Type),
		}
		if pur.PIICategory == nil {
			pur.PIICategory = []string{"any"}
		}
		if pur.PurposeCategory == nil {
			pur.PurposeCategory = []string{"any"}
		}
		for _, sens := range p.Sensitivity {
			r.Sensitive = true
			r.SPICat = append(r.SPICat, string(sens))
		}
		svc.Purposes = append(svc.Purposes, pur)
	}
	r.Services = []ReceiptService{svc}
	return r
}

// Sign returns the receipt as a compact JWS (header.payload.signature).
func (s *ReceiptSigner) Sign(r Receipt) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": s.kid})
	payload, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding
	signing := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	return signing + "." + b64.EncodeToString(ed25519.Sign(s.key, []byte(signing))), nil
}

// VerifyReceipt checks a compact JWS receipt against pub and returns its payload.
func VerifyReceipt(jws string, pub ed25519.PublicKey) (Receipt, error) {
	var r Receipt
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return r, errors.New("receipt: not a compact JWS")
	}
	b64 := base64.RawURLEncoding
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return r, errors.New("receipt: signature does not verify")
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(payload, &r)
}

func purposeCodes(ps []accord.Purpose) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

func categoryCodes(cs []accord.Category) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
