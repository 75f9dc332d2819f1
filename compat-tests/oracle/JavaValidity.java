// Validity oracle: which schema texts Java Avro 1.12.1's Schema.Parser (default validation, as
// Confluent Schema Registry parses) accepts. Reads JSONL {"id", "texts": ["<schema text>", ...]}
// on stdin (the texts are parsed in order by one Parser, like schema references) and writes one
// line per case: {"id", "ok": true} or {"id", "ok": false, "error": "<message>"}.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;

public class JavaValidity {
  static final ObjectMapper M = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      JsonNode c = M.readTree(line);
      ObjectNode res = M.createObjectNode();
      res.set("id", c.get("id"));
      try {
        Schema.Parser p = new Schema.Parser();
        for (JsonNode t : c.get("texts")) p.parse(t.asText());
        res.put("ok", true);
      } catch (Throwable e) {
        res.put("ok", false);
        String m = e.getClass().getSimpleName() + ": " + e.getMessage();
        res.put("error", m.length() > 300 ? m.substring(0, 300) : m);
      }
      out.println(M.writeValueAsString(res));
    }
    out.flush();
  }
}
