// Differential oracle: Apache Avro Java's SchemaCompatibility, applied the way Confluent Schema
// Registry applies it. Reads JSONL cases {"id", "mode", "new", "existing": [...], "refs": [...]}
// on stdin and writes one verdict per line:
// {"id", "compatible", "incompatibilities": [{"type", "location", "message", "reader", "existing_index"}]}
// or {"id", "error"} when a schema does not parse.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

public class JavaOracle {
  static final ObjectMapper M = new ObjectMapper();

  static Schema parse(JsonNode schema, JsonNode refs) throws Exception {
    Schema.Parser p = new Schema.Parser();
    if (refs != null) for (JsonNode r : refs) p.parse(M.writeValueAsString(r));
    return p.parse(M.writeValueAsString(schema));
  }

  static void add(ArrayNode out, Schema reader, Schema writer, String who, int index) {
    SchemaCompatibility.SchemaPairCompatibility r =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    for (SchemaCompatibility.Incompatibility i : r.getResult().getIncompatibilities()) {
      ObjectNode o = out.addObject();
      o.put("type", i.getType().name());
      o.put("location", i.getLocation());
      o.put("message", i.getMessage());
      o.put("reader", who);
      o.put("existing_index", index);
    }
  }

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
        JsonNode refs = c.get("refs");
        Schema nw = parse(c.get("new"), refs);
        List<Schema> ex = new ArrayList<>();
        for (JsonNode e : c.get("existing")) ex.add(parse(e, refs));
        String mode = c.get("mode").asText();
        boolean transitive = mode.endsWith("_TRANSITIVE");
        boolean oldReadsNew = mode.startsWith("FORWARD") || mode.startsWith("FULL");
        boolean newReadsOld = mode.startsWith("BACKWARD") || mode.startsWith("FULL");
        ArrayNode incs = M.createArrayNode();
        int last = ex.size() - 1;
        int first = transitive ? 0 : Math.max(last, 0);
        if (!mode.equals("NONE")) {
          for (int i = last; i >= first && i >= 0; i--) {
            if (oldReadsNew) add(incs, ex.get(i), nw, "old", i);
            if (newReadsOld) add(incs, nw, ex.get(i), "new", i);
            if (incs.size() > 0) break;
          }
        }
        res.put("compatible", incs.size() == 0);
        res.set("incompatibilities", incs);
      } catch (Exception e) {
        res.put("error", String.valueOf(e.getMessage()));
      }
      out.println(M.writeValueAsString(res));
    }
    out.flush();
  }
}
