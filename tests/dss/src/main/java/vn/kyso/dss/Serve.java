package vn.kyso.dss;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code serve}: one JSON request per line on stdin, exactly one JSON line per request
 * on stdout, flushed, until end of input. A request is {@code {"cmd": NAME, ...}} with
 * the command's positionals and options as keys (see {@link Args#fromJson}). Whatever
 * goes wrong in one request comes back as {@code {"error": "..."}} (plus {@code "exit"},
 * the code the command line would have exited with); the server carries on.
 */
final class Serve {
    private Serve() {
    }

    static void run(PrintStream out) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            out.println(Json.write(handle(line)));
            out.flush();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> handle(String line) {
        try {
            Object parsed;
            try {
                parsed = Json.parse(line);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            if (!(parsed instanceof Map<?, ?>)) {
                throw new Args.UsageException("a request is a JSON object");
            }
            Map<String, Object> request = (Map<String, Object>) parsed;
            Object cmd = request.get("cmd");
            if (!(cmd instanceof String name)) {
                throw new Args.UsageException("the request has no \"cmd\"");
            }
            if (name.equals("serve")) {
                throw new Args.UsageException("serve cannot be nested");
            }
            Main.Command command = Main.command(name);
            return command.run(Args.fromJson(command.spec(), request));
        } catch (Throwable e) {
            // Errors too (say an OutOfMemoryError in one huge document): report, go on.
            return Main.error(e);
        }
    }
}
