// The refresh-token hand-over with the AWS SDK for JavaScript v3, as AWS's NodeJS sample runs it, against the
// local service at process.env.ENDPOINT. Prints one JSON object of what it saw; tests/local/js/test_js_flow.py
// checks it. Seller and buyer are long-term keys (12-digit key ids act as that account).
import { IAMClient, CreatePolicyCommand, CreateRoleCommand, AttachRolePolicyCommand } from "@aws-sdk/client-iam";
import { STSClient, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  LicenseManagerClient,
  AcceptGrantCommand,
  CheckInLicenseCommand,
  CheckoutLicenseCommand,
  CreateGrantCommand,
  CreateGrantVersionCommand,
  CreateLicenseCommand,
  CreateTokenCommand,
  ExtendLicenseConsumptionCommand,
  GetAccessTokenCommand,
} from "@aws-sdk/client-license-manager";

const endpoint = process.env.ENDPOINT;
const region = "us-east-1";
const SELLER = "111111111111";
const BUYER = "222222222222";
const LM = "openid-license-manager.amazonaws.com";
const keys = (account) => ({ accessKeyId: account, secretAccessKey: "x" });
const base = { endpoint, region, maxAttempts: 1 };

// GetAccessToken is sent without AWS credentials (the refresh token is the credential): sign with throwaway
// keys, then drop the signature headers before the request leaves.
function unsigned(client) {
  client.middlewareStack.addRelativeTo(
    (next) => (args) => {
      for (const name of Object.keys(args.request.headers)) {
        if (["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"].includes(name.toLowerCase())) {
          delete args.request.headers[name];
        }
      }
      seen.unsignedHeaders = Object.keys(args.request.headers).map((name) => name.toLowerCase());
      return next(args);
    },
    { relation: "after", toMiddleware: "httpSigningMiddleware", name: "dropSignature" },
  );
  return client;
}

async function refused(promise) {
  try {
    await promise;
    return { code: null };
  } catch (error) {
    return { code: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
  }
}

const seen = {};
const seller = new LicenseManagerClient({ ...base, credentials: keys(SELLER) });
const buyer = new LicenseManagerClient({ ...base, credentials: keys(BUYER) });
const iam = new IAMClient({ ...base, credentials: keys(BUYER) });

const { LicenseArn: licenseArn } = await seller.send(
  new CreateLicenseCommand({
    LicenseName: "JS sample license",
    ProductName: "Widget",
    ProductSKU: "js-sku",
    Issuer: { Name: "Widget Corp" },
    HomeRegion: region,
    Validity: { Begin: "2020-01-01T00:00:00Z" },
    Entitlements: [{ Name: "Users", Unit: "Count", MaxCount: 5, AllowCheckIn: true }],
    Beneficiary: "customer-1",
    ConsumptionConfiguration: { ProvisionalConfiguration: { MaxTimeToLiveInMinutes: 60 } },
    ClientToken: "js-license",
  }),
);
const { GrantArn: grantArn } = await seller.send(
  new CreateGrantCommand({
    ClientToken: "js-grant",
    GrantName: "to buyer",
    LicenseArn: licenseArn,
    Principals: [`arn:aws:iam::${BUYER}:root`],
    HomeRegion: region,
    AllowedOperations: ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses", "CreateToken"],
  }),
);
await buyer.send(new AcceptGrantCommand({ GrantArn: grantArn }));
await buyer.send(new CreateGrantVersionCommand({ ClientToken: "js-activate", GrantArn: grantArn, Status: "ACTIVE" }));

// The buyer's consumption policy and role, as the sample creates them.
const policy = await iam.send(
  new CreatePolicyCommand({
    PolicyName: "LicenseConsumptionPolicy",
    PolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "license-manager:CheckoutLicense",
            "license-manager:CheckInLicense",
            "license-manager:ExtendLicenseConsumption",
            "license-manager:GetLicense",
          ],
          Resource: "*",
        },
      ],
    }),
  }),
);
const role = await iam.send(
  new CreateRoleCommand({
    RoleName: "LicenseConsumptionRole",
    AssumeRolePolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: LM },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            "ForAnyValue:StringLike": { [`${LM}:amr`]: `aws:license-manager:token-issuer-account-id:${BUYER}` },
          },
        },
      ],
    }),
  }),
);
await iam.send(new AttachRolePolicyCommand({ RoleName: "LicenseConsumptionRole", PolicyArn: policy.Policy.Arn }));
seen.roleArn = role.Role.Arn;
seen.policyArn = policy.Policy.Arn;

const { Token: refreshToken } = await buyer.send(new CreateTokenCommand({ LicenseArn: licenseArn, ClientToken: "js-token" }));

// No AWS credentials from here on, until the role session's.
const anonymousLm = unsigned(new LicenseManagerClient({ ...base, credentials: keys("anonymous") }));
const { AccessToken: accessToken } = await anonymousLm.send(new GetAccessTokenCommand({ Token: refreshToken }));
const sts = new STSClient({ ...base });
const assumed = await sts.send(
  new AssumeRoleWithWebIdentityCommand({
    RoleArn: role.Role.Arn,
    RoleSessionName: "js-sample",
    WebIdentityToken: accessToken,
  }),
);
seen.accessKeyPrefix = assumed.Credentials.AccessKeyId.slice(0, 4);
seen.expirationIsDate = assumed.Credentials.Expiration instanceof Date;
seen.assumedRoleArn = assumed.AssumedRoleUser.Arn;
const session = {
  accessKeyId: assumed.Credentials.AccessKeyId,
  secretAccessKey: assumed.Credentials.SecretAccessKey,
  sessionToken: assumed.Credentials.SessionToken,
};

const consumer = new LicenseManagerClient({ ...base, credentials: session });
const checkout = await consumer.send(
  new CheckoutLicenseCommand({
    ProductSKU: "js-sku",
    CheckoutType: "PROVISIONAL",
    KeyFingerprint: `aws:${SELLER}:Widget Corp:issuer-fingerprint`,
    Entitlements: [{ Name: "Users", Unit: "Count", Value: "1" }],
    ClientToken: "js-checkout",
  }),
);
seen.checkedOut = checkout.EntitlementsAllowed.map((e) => e.Name);
const extended = await consumer.send(
  new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: checkout.LicenseConsumptionToken }),
);
await consumer.send(new CheckInLicenseCommand({ LicenseConsumptionToken: extended.LicenseConsumptionToken }));
seen.checkedIn = true;
seen.callerArn = (await new STSClient({ ...base, credentials: session }).send(new GetCallerIdentityCommand({}))).Arn;

// What must be refused. `tamper` replaces the last `n` characters with others, never with the same ones.
const tamper = (text, n) => text.slice(0, -n) + (text.endsWith("A".repeat(n)) ? "B" : "A").repeat(n);
const [header, claims, signature] = accessToken.split(".");
seen.tamperedToken = await refused(
  sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: role.Role.Arn,
      RoleSessionName: "js-sample",
      WebIdentityToken: `${header}.${tamper(claims, 2)}.${signature}`,
    }),
  ),
);
seen.missingRole = await refused(
  sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: `arn:aws:iam::${BUYER}:role/Missing`,
      RoleSessionName: "js-sample",
      WebIdentityToken: accessToken,
    }),
  ),
);
const forged = new LicenseManagerClient({ ...base, credentials: { ...session, sessionToken: tamper(session.sessionToken, 1) } });
seen.forgedSessionToken = await refused(
  forged.send(
    new CheckoutLicenseCommand({
      ProductSKU: "js-sku",
      CheckoutType: "PROVISIONAL",
      KeyFingerprint: `aws:${SELLER}:Widget Corp:issuer-fingerprint`,
      Entitlements: [{ Name: "Users", Unit: "Count", Value: "1" }],
      ClientToken: "js-forged",
    }),
  ),
);
seen.tamperedRefreshToken = await refused(
  anonymousLm.send(new GetAccessTokenCommand({ Token: tamper(refreshToken, 4) })),
);

console.log(JSON.stringify(seen));
