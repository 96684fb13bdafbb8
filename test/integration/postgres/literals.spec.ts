import { strict as assert } from "node:assert";
import { parseTextArray } from "./cluster";
import { quoteIdentifier, quoteLiteral } from "./providerHelpers";

describe("PostgreSQL literals of the integration harness (pure)", () => {
  // Array output syntax: elements with commas, quotes, braces or spaces are double-quoted, with \" and \\ escaped;
  // an unquoted NULL is a null element (https://www.postgresql.org/docs/15/arrays.html#ARRAYS-IO).
  it("reads name[] array literals as the server writes them", () => {
    assert.deepEqual(parseTextArray("{}"), []);
    assert.deepEqual(parseTextArray("{flightpro_owner}"), ["flightpro_owner"]);
    assert.deepEqual(parseTextArray('{a,"b,c","d\\"e","NULL",NULL,"x\\\\y"}'), ["a", "b,c", 'd"e', "NULL", null, "x\\y"]);
  });

  // lib/pq@v1.12.3:quote.go QuoteIdentifier (pinned by the provider's go.mod): cut at NUL, double quotes; the provider's pqQuoteLiteral
  // (cyrilgdn/terraform-provider-postgresql@v1.27.0:postgresql/helpers.go) doubles backslashes and quotes.
  it("quotes identifiers and literals as the provider does", () => {
    assert.equal(quoteIdentifier('we"ird\u0000rest'), '"we""ird"');
    assert.equal(quoteIdentifier("public"), '"public"');
    assert.equal(quoteLiteral("it's a \\ path"), "it''s a \\\\ path");
  });
});
