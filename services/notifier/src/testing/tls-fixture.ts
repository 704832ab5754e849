/**
 * A self-signed certificate for `rebind.hooks.example.com` (and no other name or address),
 * valid 2000-2100, with its key: for tests that serve https on 127.0.0.1 and reach it through
 * that name, trusting this certificate for the test only. Made for these tests; it guards nothing.
 */
export const TEST_TLS = {
  hostname: 'rebind.hooks.example.com',
  cert: `-----BEGIN CERTIFICATE-----
MIIBsDCCAVegAwIBAgICEAAwCgYIKoZIzj0EAwIwIzEhMB8GA1UEAwwYcmViaW5k
Lmhvb2tzLmV4YW1wbGUuY29tMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAw
MDAwWjAjMSEwHwYDVQQDDBhyZWJpbmQuaG9va3MuZXhhbXBsZS5jb20wWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQXhX9ExC3ciD4DEofr6TfRKejyA2O/uGn7JcKb
sMGnhh1SvCJYrJICxX8tdgLl8y2Fol28879JLdr9+JuHHmPpo3kwdzAjBgNVHREE
HDAaghhyZWJpbmQuaG9va3MuZXhhbXBsZS5jb20wDAYDVR0TAQH/BAIwADATBgNV
HSUEDDAKBggrBgEFBQcDATAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYEFPO2NpQU
ERfxdDq9VC23OQhfs6BRMAoGCCqGSM49BAMCA0cAMEQCIDiodSdSSkRUFMlZlg4k
3Qi2cdzagK2vT7Jh708A5XIPAiAM1FutqCi6i/8D9Mipb6gtET6Gz2RYMP4DavDK
DjtLvg==
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpObVT6Z5IHAMqfJw
BG6hLR+2ltlaEw0YfsbipK54rWihRANCAAQXhX9ExC3ciD4DEofr6TfRKejyA2O/
uGn7JcKbsMGnhh1SvCJYrJICxX8tdgLl8y2Fol28879JLdr9+JuHHmPp
-----END PRIVATE KEY-----
`,
};
