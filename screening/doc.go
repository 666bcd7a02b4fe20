// Package screening is Accord's questionnaire engine. Questionnaires are data,
// shaped after FHIR R4 Questionnaire and QuestionnaireResponse, with rules (an
// Accord extension) that turn answers into identified social and legal needs,
// each with an urgency. It does no I/O: the two built-in questionnaires are
// embedded (see Builtin).
//
// # Using it
//
//	q, err := screening.Find(resp.Questionnaire) // or screening.Load(jsonBytes)
//	if err := q.Check(resp); err != nil { ... }  // EINVALID, Field names the item
//	needs := q.Evaluate(resp)                     // most urgent first
//	change := screening.Compare(lastNeeds, needs) // what re-screening changed
//	view := q.Items("ar", resp)                   // flattened, for a form
//
// # The questionnaire JSON
//
// A questionnaire is a FHIR R4 Questionnaire with these elements, all with
// their FHIR names and meanings unless said otherwise:
//
//	{
//	  "resourceType": "Questionnaire",          required
//	  "id": "social-legal-needs",                optional, FHIR id syntax
//	  "url": "https://…/Questionnaire/…",        required, absolute URI
//	  "version": "1.0.0",                        required here (optional in FHIR), no "|"
//	  "title": {"en": "…", "es": "…", …},        translations (see below)
//	  "status": "active",                        draft | active | retired | unknown
//	  "item": [ item, … ],                       at least one
//	  "rules": [ rule, … ]                       Accord extension, see below
//	}
//
// An item:
//
//	{
//	  "linkId": "housing.2",                     unique in the questionnaire
//	  "text": {"en": "…", …},                    translations
//	  "type": "boolean",                         group | display | boolean | choice | string |
//	                                             text | integer | decimal | date
//	  "required": true,                          questions and groups; a required group needs
//	                                             one answered question inside it
//	  "repeats": true,                           questions only: more than one answer allowed
//	  "maxLength": 200,                          string and text only (default 500 and 4000)
//	  "answerOption": [{"valueCoding": {"system": "…", "code": "yes",
//	                    "display": {"en": "Yes", …}}}],   choice only, at least one
//	  "enableWhen": [condition, …],
//	  "enableBehavior": "all",                   all | any; required with two or more conditions
//	  "item": [ item, … ]                        groups only
//	}
//
// A condition (FHIR Questionnaire.item.enableWhen):
//
//	{"question": "housing.1", "operator": "=", "answerCoding": {"code": "worried"}}
//
// with exactly one of answerBoolean, answerCoding, answerInteger,
// answerDecimal, answerString or answerDate. The operator is exists
// (answerBoolean), = or != (any question type), or >, <, >=, <= (integer,
// decimal and date questions). The answer[x] must suit the question:
// answerBoolean for boolean, answerCoding with one of the item's option codes
// for choice, answerString for string and text, and so on.
//
// Conditions follow FHIR: exists is true when whether the question has an
// answer equals answerBoolean; = and the ordering operators are true when at
// least one answer compares so; != is true when no answer equals the value,
// so also when the question is unanswered. A question that is disabled counts
// as unanswered, whatever the response holds; a disabled group disables
// everything inside it. Conditions must not form a cycle, counting an item's
// dependence on the group it is in (Load names an item on the cycle).
//
// Departures from FHIR, for a multilingual partnership: text, title,
// answerOption.valueCoding.display and a rule's explanation are objects
// mapping a BCP 47 language tag to the text (Translations), not strings.
// Every one must have en, es, fr and ar, and every one in a questionnaire
// must have the same languages, so a questionnaire is never half translated.
// Only valueCoding answer options; no open-choice (use a choice with an
// "other" option and a string item), no repeating groups, and no items
// nested under questions (use a group).
//
// # Rules (the Accord extension)
//
// rules is a top-level array that FHIR does not have. (A FHIR server would
// need it moved into a modifier-free extension; nothing in Accord needs that
// yet.) Each rule:
//
//	{
//	  "need": "eviction",                        one of Needs
//	  "urgency": "urgent",                       routine | soon | urgent | immediate
//	  "when": [condition, …],                    same shape and meaning as enableWhen
//	  "behavior": "any",                         all | any; required with two or more conditions
//	  "explanation": {"en": "…", …}              translations, for the person who follows up
//	}
//
// A rule fires when its conditions hold. When several rules give the same
// need, the most urgent wins (the first such rule on a tie).
//
// # The response JSON
//
// A FHIR R4 QuestionnaireResponse:
//
//	{
//	  "resourceType": "QuestionnaireResponse",   optional in Go, checked when present
//	  "id": "…",                                 optional
//	  "questionnaire": "https://…|1.0.0",        the questionnaire's url, with |version or without
//	  "status": "completed",                     completed | in-progress
//	  "authored": "2026-03-01T10:00:00Z",        optional, RFC 3339
//	  "item": [{"linkId": "housing", "item": [
//	    {"linkId": "housing.1", "answer": [{"valueCoding": {"code": "worried"}}]}
//	  ]}]
//	}
//
// Items nest as the questionnaire's groups do; an answer has exactly one of
// valueBoolean, valueCoding, valueString, valueInteger, valueDecimal or
// valueDate. Required questions must be answered only when the status is
// completed. Answers to disabled questions are refused.
package screening
