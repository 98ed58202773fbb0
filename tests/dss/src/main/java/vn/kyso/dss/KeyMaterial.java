package vn.kyso.dss;

import eu.europa.esig.dss.model.x509.CertificateToken;
import eu.europa.esig.dss.token.AbstractKeyStoreTokenConnection;
import eu.europa.esig.dss.token.DSSPrivateKeyEntry;
import eu.europa.esig.dss.token.KSPrivateKeyEntry;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and certificates from the PEM files our test PKI writes: an unencrypted
 * PKCS#8 private key ({@code PRIVATE KEY}; the traditional {@code RSA/EC PRIVATE KEY}
 * forms are accepted too) of any algorithm BouncyCastle knows (RSA, EC on any curve,
 * Ed25519), and certificate files holding one or more PEM certificates (or one DER one).
 */
final class KeyMaterial {
    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private KeyMaterial() {
    }

    static byte[] read(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new Args.UsageException("no such file: " + file);
        } catch (IOException e) {
            throw new Args.UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static PrivateKey privateKey(String file) {
        String pem = new String(read(file), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BouncyCastleProvider.PROVIDER_NAME);
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        } catch (IOException e) {
            throw new Args.UsageException("cannot parse the private key in " + file + ": " + e.getMessage());
        }
        throw new Args.UsageException("no unencrypted private key in " + file);
    }

    /** Every certificate in the file, in file order. */
    static List<X509Certificate> certificates(String file) {
        byte[] bytes = read(file);
        List<X509Certificate> out = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        try {
            if (text.contains("-----BEGIN")) {
                JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
                try (PEMParser parser = new PEMParser(new StringReader(text))) {
                    Object o;
                    while ((o = parser.readObject()) != null) {
                        if (o instanceof X509CertificateHolder holder) {
                            out.add(converter.getCertificate(holder));
                        }
                    }
                }
            } else {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(bytes))) {
                    out.add((X509Certificate) c);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new Args.UsageException("cannot parse the certificates in " + file + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new Args.UsageException("no certificate in " + file);
        }
        return out;
    }

    static X509Certificate certificate(String file) {
        return certificates(file).get(0);
    }

    static List<X509Certificate> certificates(List<String> files) {
        List<X509Certificate> out = new ArrayList<>();
        for (String f : files) {
            out.addAll(certificates(f));
        }
        return out;
    }

    static List<CertificateToken> tokens(List<X509Certificate> certificates) {
        List<CertificateToken> out = new ArrayList<>();
        for (X509Certificate c : certificates) {
            out.add(new CertificateToken(c));
        }
        return out;
    }

    /**
     * A DSS signature token over one in-memory key: the signer's key, its
     * certificate and the chain that goes with it (signer first).
     */
    static final class PemToken extends AbstractKeyStoreTokenConnection {
        private static final String ALIAS = "signer";
        private static final KeyStore.PasswordProtection PROTECTION = new KeyStore.PasswordProtection("kyso".toCharArray());

        private final KeyStore.PrivateKeyEntry keyEntry;

        PemToken(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {
            List<Certificate> all = new ArrayList<>();
            all.add(certificate);
            all.addAll(chain);
            // Kept as the JCA objects themselves (not round-tripped through a
            // PKCS#12 store, whose default providers cannot decode brainpool keys).
            keyEntry = new KeyStore.PrivateKeyEntry(key, all.toArray(new Certificate[0]));
        }

        /** Only for DSS's key listing (getKeys); signing goes through {@link #entry()}. */
        @Override
        protected KeyStore getKeyStore() {
            try {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setEntry(ALIAS, keyEntry, PROTECTION);
                return keyStore;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot build the in-memory key store: " + e.getMessage(), e);
            }
        }

        @Override
        protected KeyStore.PasswordProtection getKeyProtectionParameter() {
            return PROTECTION;
        }

        DSSPrivateKeyEntry entry() {
            return new KSPrivateKeyEntry(ALIAS, keyEntry);
        }

        @Override
        public void close() {
            // nothing to release: the key lives in memory only
        }
    }
}
