package http

// Exports for the tests in package http_test. The OpenAPI tests live there,
// not here, because they start a real server through internal/testserver,
// which imports this package.

// Routes returns "METHOD pattern" for every entry of the route table.
// routeTable only builds closures, so a zero Server will do.
func Routes() []string {
	var out []string
	for _, rt := range (&Server{}).routeTable() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// MaxBody bounds every request body.
const MaxBody = maxBody

// StatusOf maps each error code to its HTTP status.
var StatusOf = statusOf

// WireTypes maps OpenAPI schema names to the package's own types that are
// encoded or decoded under them, so the test can hold the schemas' property
// names to the JSON tags. (Domain types are listed in the test itself.)
var WireTypes = map[string]any{
	"SignInInput":       signInRequest{},
	"Session":           sessionJSON{},
	"OrganizationInput": organizationInput{},
	"StaffInput":        staffInput{},
	"AgreementInput":    agreementInput{},
	"Agreement":         agreementJSON{},
	"ClientInput":       clientInput{},
	"ClientView":        clientViewJSON{},
	"RecordInput":       recordInput{},
	"RecordsView":       recordsJSON{},
	"ConsentInput":      consentInput{},
	"LegalBasisInput":   legalBasisInput{},
	"Decision":          decisionJSON{},
	"DecisionRequest":   requestJSON{},
	"Disclosure":        disclosureJSON{},
	"AccessReport":      accessReportJSON{},
	"AccessReportEntry": accessLineJSON{},
	"AuditEntry":        auditEntryJSON{},
	"Error":             errorBody{},
	"ErrorDetail":       errorBody{}.Error,

	"ParticipantInput":      participantInput{},
	"DuplicateMatch":        likelyJSON{},
	"QuestionnaireSummary":  questionnaireSummary{},
	"QuestionnaireItemView": itemViewJSON{},
	"Need":                  needJSON{},
	"ScreeningRecord":       screeningJSON{},
	"ReferralView":          referralJSON{},
	"HSDSService":           hsdsService{},
	"HSDSLanguage":          hsdsLanguage{},
	"HSDSPhone":             hsdsPhone{},
	"HSDSServiceAtLocation": hsdsAtLocation{},
	"HSDSLocation":          hsdsLocation{},
	"HSDSAddress":           hsdsAddress{},
	"HSDSAttribute":         hsdsAttribute{},

	"ReviewQueueItem": reviewItemJSON{},
	"ReviewInput":     reviewInput{},

	"BreachInput": breachInput{},
	"BreachView":  breachViewJSON{},
}
