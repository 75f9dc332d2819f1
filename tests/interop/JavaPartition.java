import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads keys from stdin, one per line, and prints for each the data platform's own formula,
 * {@code Math.abs(key.hashCode()) % partitions}, as Java computes it: the key's
 * {@code String.hashCode}, that partition, and, when the key is a long's text, the partition
 * of the {@code Long} (else {@code -}).
 *
 * <p>usage: java JavaPartition PARTITIONS &lt; keys
 */
public final class JavaPartition {
    public static void main(String[] args) throws Exception {
        int partitions = Integer.parseInt(args[0]);
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String key; (key = in.readLine()) != null; ) {
            out.append(key.hashCode()).append(' ')
                    .append(Math.abs(key.hashCode()) % partitions).append(' ');
            Long id = null;
            try {
                id = Long.valueOf(key);
            } catch (NumberFormatException e) {
                // not a long: a string key only
            }
            out.append(id == null ? "-" : String.valueOf(Math.abs(id.hashCode()) % partitions))
                    .append('\n');
        }
        System.out.print(out);
    }
}
