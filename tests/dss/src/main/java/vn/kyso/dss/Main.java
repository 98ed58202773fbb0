package vn.kyso.dss;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * kyso-dss: EU DSS as a command-line tool for Kyso's end-to-end tests.
 *
 * <pre>
 * java -jar kyso-dss.jar validate FILE [--content ORIGINAL] [--trust PEM]... [--crl CRL]...
 *                                      [--time ISO8601] [--policy FILE|default|kyso] [--etsi OUT.xml]
 * java -jar kyso-dss.jar sign-pades IN.pdf OUT.pdf --key KEY.pem --cert CERT.pem [--chain PEM]... --level B-B|B-T|B-LT|B-LTA ...
 * java -jar kyso-dss.jar sign-cades IN OUT.p7s --key KEY.pem --cert CERT.pem [--chain PEM]... --level ... [--attached] ...
 * java -jar kyso-dss.jar sign-pdfbox IN.pdf OUT.pdf --key KEY.pem --cert CERT.pem [--chain PEM]... [--subfilter ...]
 * java -jar kyso-dss.jar check-etsi-report FILE.xml
 * java -jar kyso-dss.jar kyso-policy OUT.xml
 * java -jar kyso-dss.jar version
 * java -jar kyso-dss.jar serve
 * </pre>
 *
 * Stdout carries JSON only: one object per command (one line per request in serve).
 * System.out is pointed at stderr before any library runs, so nothing else can reach
 * stdout; DSS and PDFBox log through SLF4J to stderr at WARN (KYSO_DSS_LOG=info|debug|off...).
 * Exit codes: 0 done (whatever the validation result), 1 failure, 2 bad arguments,
 * 3 a document DSS cannot open or validate at all.
 */
public final class Main {
    static final String DSS_VERSION = dssVersion();

    /** A command: its argument spec and what it does. */
    record Command(Args.Spec spec, Function<Args, Map<String, Object>> action) {
        Map<String, Object> run(Args args) {
            return action.apply(args);
        }
    }

    private Main() {
    }

    static Command command(String name) {
        return switch (name) {
            case "validate" -> new Command(Validate.SPEC, Validate::run);
            case "sign-pades" -> new Command(SignPades.SPEC, SignPades::run);
            case "sign-cades" -> new Command(SignCades.SPEC, SignCades::run);
            case "sign-pdfbox" -> new Command(SignPdfbox.SPEC, SignPdfbox::run);
            case "check-etsi-report" -> new Command(CheckEtsiReport.SPEC, CheckEtsiReport::run);
            case "kyso-policy" -> new Command(KysoPolicy.SPEC, KysoPolicy::run);
            case "version" -> new Command(Args.Spec.of("version", "", "", ""), a -> version());
            default -> throw new Args.UsageException("unknown command " + name
                    + " (validate, sign-pades, sign-cades, sign-pdfbox, check-etsi-report, kyso-policy, version, serve)");
        };
    }

    public static void main(String[] argv) {
        String level = System.getenv("KYSO_DSS_LOG");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level == null || level.isBlank() ? "warn" : level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);

        List<String> args = Arrays.asList(argv);
        if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help") || args.get(0).equals("help")) {
            System.err.println("usage: kyso-dss validate|sign-pades|sign-cades|sign-pdfbox|check-etsi-report|kyso-policy|version|serve ... (see tests/dss/README.md)");
            out.println(Json.write(Map.of("error", "no command given")));
            out.flush();
            System.exit(args.isEmpty() ? 2 : 0);
        }
        int code;
        if (args.get(0).equals("serve")) {
            try {
                Serve.run(out);
                code = 0;
            } catch (IOException e) {
                System.err.println("serve: " + e.getMessage());
                code = 1;
            }
        } else {
            Map<String, Object> result;
            try {
                Command command = command(args.get(0));
                result = command.run(Args.fromCommandLine(command.spec(), args.subList(1, args.size())));
                code = 0;
            } catch (Throwable e) {
                result = error(e);
                code = exitCode(e);
            }
            out.println(Json.write(result));
        }
        out.flush();
        System.exit(code);
    }

    static int exitCode(Throwable e) {
        if (e instanceof Args.UsageException) {
            return 2;
        }
        if (e instanceof Validate.UnreadableException) {
            return 3;
        }
        return 1;
    }

    /** {@code {"error": message, "exit": code}}; for an unexpected failure a stack trace goes to stderr. */
    static Map<String, Object> error(Throwable e) {
        if (exitCode(e) == 1) {
            e.printStackTrace(System.err); // unexpected: worth a trace on stderr
        }
        Map<String, Object> json = Json.object();
        json.put("error", message(e));
        json.put("exit", exitCode(e));
        return json;
    }

    /** The exception's message, or its class name when it has none. */
    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : m;
    }

    private static Map<String, Object> version() {
        Map<String, Object> json = Json.object();
        json.put("dssVersion", DSS_VERSION);
        json.put("java", System.getProperty("java.version"));
        return json;
    }

    private static String dssVersion() {
        try (InputStream in = Main.class.getResourceAsStream("/kyso-dss-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("dss.version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
