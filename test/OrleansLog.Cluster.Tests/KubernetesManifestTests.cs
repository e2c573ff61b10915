using OrleansLog.Testing;
using YamlDotNet.RepresentationModel;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// The manifests in deploy/kubernetes, checked as a cluster would need them: every file parses and is in
/// the kustomization, kinds carry their real apiVersions, everything referenced (ConfigMaps, Secret keys,
/// the service account, the headless service, named ports) exists, selectors match the pod labels, and
/// the probes and ports are the ones the broker really serves. No Kubernetes API schema can be fetched
/// here, so these are the rules that a broken edit breaks.
/// </summary>
public class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "deploy", "kubernetes");

    private static readonly Dictionary<string, string> ApiVersions = new()
    {
        ["ConfigMap"] = "v1", ["Secret"] = "v1", ["Service"] = "v1", ["ServiceAccount"] = "v1",
        ["StatefulSet"] = "apps/v1", ["Deployment"] = "apps/v1", ["Job"] = "batch/v1",
        ["PodDisruptionBudget"] = "policy/v1",
        ["Role"] = "rbac.authorization.k8s.io/v1", ["RoleBinding"] = "rbac.authorization.k8s.io/v1",
        ["NetworkPolicy"] = "networking.k8s.io/v1",
    };

    /// <summary>The secrets the user creates (none is in the repository), and their keys: cert-manager's names for TLS.</summary>
    private static readonly Dictionary<string, HashSet<string>> UserSecrets = new()
    {
        ["orleanslog-postgres"] = ["connection-string"],
        ["orleanslog-tls"] = ["tls.crt", "tls.key", "ca.crt"],
        ["orleanslog-admin"] = ["password"],
    };

    private static readonly List<(string File, YamlMappingNode Node)> Documents = Load();

    [Fact]
    public void Every_manifest_parses_is_listed_in_the_kustomization_and_has_a_valid_kind_and_api_version()
    {
        var kustomization = Root(Path.Combine(Folder, "kustomization.yaml"));
        Assert.Equal("kustomize.config.k8s.io/v1beta1", Text(kustomization, "apiVersion"));
        var listed = Sequence(kustomization, "resources").Select(n => ((YamlScalarNode)n).Value!).Order().ToArray();
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order().ToArray();
        Assert.Equal(files, listed);
        Assert.NotEmpty(Documents);
        Assert.All(Documents, d =>
        {
            var kind = Text(d.Node, "kind");
            Assert.True(ApiVersions.TryGetValue(kind, out var version), $"{d.File}: unknown kind {kind}");
            Assert.Equal(version, Text(d.Node, "apiVersion"));
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", Text(d.Node, "metadata", "name"));
        });
    }

    [Fact]
    public void Every_referenced_config_map_secret_key_and_service_account_exists()
    {
        var secrets = UserSecrets;
        var configMaps = Of("ConfigMap").Select(c => Text(c, "metadata", "name")).ToHashSet();
        var accounts = Of("ServiceAccount").Select(a => Text(a, "metadata", "name")).ToHashSet();
        foreach (var pod in PodSpecs())
        {
            foreach (var container in Sequence(pod, "containers").Cast<YamlMappingNode>())
            {
                foreach (var source in Optional(container, "envFrom"))
                {
                    Assert.Contains(Text((YamlMappingNode)source, "configMapRef", "name"), configMaps);
                }

                foreach (var variable in Optional(container, "env").Cast<YamlMappingNode>())
                {
                    if (Find(variable, "valueFrom", "secretKeyRef") is YamlMappingNode reference)
                    {
                        Assert.True(secrets.TryGetValue(Text(reference, "name"), out var keys), $"secret {Text(reference, "name")} is not defined");
                        Assert.Contains(Text(reference, "key"), keys);
                    }
                }
            }

            if (Find(pod, "serviceAccountName") is YamlScalarNode account)
            {
                Assert.Contains(account.Value!, accounts);
            }
        }

        var binding = Of("RoleBinding").Single();
        Assert.Contains(Text(binding, "roleRef", "name"), Of("Role").Select(r => Text(r, "metadata", "name")));
        Assert.All(Sequence(binding, "subjects").Cast<YamlMappingNode>(), s => Assert.Contains(Text(s, "name"), accounts));
    }

    [Fact]
    public void The_manifests_are_hardened()
    {
        // No secret (and so no default password) is in the repository: the user creates them.
        Assert.Empty(Of("Secret"));

        foreach (var pod in PodSpecs())
        {
            Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));
            Assert.Equal("RuntimeDefault", Text(pod, "securityContext", "seccompProfile", "type"));
            foreach (var container in Sequence(pod, "containers").Cast<YamlMappingNode>())
            {
                Assert.Equal("false", Text(container, "securityContext", "allowPrivilegeEscalation"));
                Assert.Equal("true", Text(container, "securityContext", "readOnlyRootFilesystem"));
                Assert.Contains("ALL", Sequence(container, "securityContext", "capabilities", "drop").Select(n => ((YamlScalarNode)n).Value));

                // A read-only root needs a writable /tmp for .NET.
                Assert.Contains(Sequence(container, "volumeMounts").Cast<YamlMappingNode>(), m => Text(m, "mountPath") == "/tmp");
            }
        }

        // A pinned image tag.
        var image = Sequence(Root(Path.Combine(Folder, "kustomization.yaml")), "images").Cast<YamlMappingNode>().Single();
        Assert.Matches(@"^\d+\.\d+\.\d+$", Text(image, "newTag"));

        // RBAC: pods only, with the verbs Orleans' Kubernetes hosting uses.
        var rules = Sequence(Of("Role").Single(), "rules").Cast<YamlMappingNode>().ToList();
        Assert.All(rules, r => Assert.Equal(["pods"], Sequence(r, "resources").Select(n => ((YamlScalarNode)n).Value!)));
        Assert.All(rules, r => Assert.Subset(new HashSet<string> { "get", "watch", "list", "delete", "patch" }, Sequence(r, "verbs").Select(n => ((YamlScalarNode)n).Value!).ToHashSet()));

        // The TLS secret is mounted read-only where the configuration looks for the files, and cluster TLS is on.
        var statefulSet = Of("StatefulSet").Single();
        var broker = Sequence(Map(statefulSet, "spec", "template", "spec"), "containers").Cast<YamlMappingNode>().Single();
        var volume = Sequence(Map(statefulSet, "spec", "template", "spec"), "volumes").Cast<YamlMappingNode>().Single(v => Find(v, "secret") is not null);
        Assert.Equal("orleanslog-tls", Text(volume, "secret", "secretName"));
        var mount = Sequence(broker, "volumeMounts").Cast<YamlMappingNode>().Single(m => Text(m, "name") == Text(volume, "name"));
        Assert.Equal("true", Text(mount, "readOnly"));
        var config = Map(Of("ConfigMap").Single(), "data");
        Assert.Equal("true", Text(config, "OrleansLog__Cluster__Tls"));
        foreach (var (setting, file) in new[] { ("OrleansLog__Tls__CertificatePath", "tls.crt"), ("OrleansLog__Tls__KeyPath", "tls.key"), ("OrleansLog__Tls__CaPath", "ca.crt") })
        {
            Assert.Equal($"{Text(mount, "mountPath")}/{file}", Text(config, setting));
        }

        // Clients authenticate: the Kafka listener is SASL over TLS only (which turns ACLs and HTTP authentication on), and
        // the first administrator's password comes from a secret the user creates, never from the repository.
        Assert.Matches(@"^SASL_SSL://[^,]+$", Text(config, "OrleansLog__Kafka__Listeners"));
        Assert.Null(Find(config, "OrleansLog__Kafka__Port"));
        Assert.Equal("admin", Text(config, "OrleansLog__Bootstrap__User"));
        Assert.Null(Find(config, "OrleansLog__Bootstrap__Password"));
        var password = Sequence(broker, "env").Cast<YamlMappingNode>().Single(e => Text(e, "name") == "OrleansLog__Bootstrap__Password");
        Assert.Equal("orleanslog-admin", Text(password, "valueFrom", "secretKeyRef", "name"));
    }

    [Fact]
    public void The_network_policy_admits_only_the_ports_each_peer_needs()
    {
        var statefulSet = Of("StatefulSet").Single();
        var podLabels = Labels(Map(statefulSet, "spec", "template", "metadata", "labels")).ToHashSet();
        var policy = Of("NetworkPolicy").Single();
        Assert.Subset(podLabels, Labels(Map(policy, "spec", "podSelector", "matchLabels")).ToHashSet());
        var containerPorts = Sequence(Map(statefulSet, "spec", "template", "spec"), "containers").Cast<YamlMappingNode>()
            .SelectMany(c => Sequence(c, "ports").Cast<YamlMappingNode>()).Select(p => Text(p, "name")).ToHashSet();
        var rules = Sequence(policy, "spec", "ingress").Cast<YamlMappingNode>().ToList();
        var admitted = rules.SelectMany(r => Sequence(r, "ports").Cast<YamlMappingNode>().Select(p => Text(p, "port"))).ToList();
        Assert.Equal(containerPorts.Order(), admitted.Order());

        // Silo-to-silo traffic comes from brokers only.
        var silo = rules.Single(r => Sequence(r, "ports").Cast<YamlMappingNode>().Any(p => Text(p, "port") == "silo"));
        var sources = Sequence(silo, "from").Cast<YamlMappingNode>().ToList();
        Assert.All(sources, f => Assert.Equal(podLabels.Where(l => l.Key.StartsWith("app.kubernetes.io/", StringComparison.Ordinal)).ToHashSet(), Labels(Map(f, "podSelector", "matchLabels")).ToHashSet()));
        var gateway = rules.Single(r => Sequence(r, "ports").Cast<YamlMappingNode>().Any(p => Text(p, "port") == "gateway"));
        Assert.NotEmpty(Sequence(gateway, "from"));
    }

    [Fact]
    public void Selectors_match_the_broker_pods_and_services_point_at_their_named_ports()
    {
        var statefulSet = Of("StatefulSet").Single();
        var podLabels = Labels(Map(statefulSet, "spec", "template", "metadata", "labels"));
        Assert.Subset(podLabels.ToHashSet(), Labels(Map(statefulSet, "spec", "selector", "matchLabels")).ToHashSet());
        var headless = Of("Service").Single(s => Text(s, "metadata", "name") == Text(statefulSet, "spec", "serviceName"));
        Assert.Equal("None", Text(headless, "spec", "clusterIP"));

        var containerPorts = Sequence(Map(statefulSet, "spec", "template", "spec"), "containers").Cast<YamlMappingNode>()
            .SelectMany(c => Sequence(c, "ports").Cast<YamlMappingNode>()).ToDictionary(p => Text(p, "name"), p => Text(p, "containerPort"));
        foreach (var service in Of("Service"))
        {
            Assert.Subset(podLabels.ToHashSet(), Labels(Map(service, "spec", "selector")).ToHashSet());
            Assert.All(Sequence(service, "spec", "ports").Cast<YamlMappingNode>(), p => Assert.Contains(Text(p, "targetPort"), containerPorts.Keys));
        }

        var budget = Of("PodDisruptionBudget").Single();
        Assert.Subset(podLabels.ToHashSet(), Labels(Map(budget, "spec", "selector", "matchLabels")).ToHashSet());

        // The broker listens where the config map tells it to, and that is where the container ports point.
        var config = Map(Of("ConfigMap").Single(), "data");
        Assert.Equal(containerPorts["silo"], Text(config, "OrleansLog__Cluster__SiloPort"));
        Assert.Equal(containerPorts["gateway"], Text(config, "OrleansLog__Cluster__GatewayPort"));
        Assert.Equal($"SASL_SSL://0.0.0.0:{containerPorts["kafka"]}", Text(config, "OrleansLog__Kafka__Listeners"));
        Assert.Equal("Kubernetes", Text(config, "OrleansLog__Cluster__Mode"));
        Assert.EndsWith(":" + containerPorts["http"], Text(config, "ASPNETCORE_URLS"), StringComparison.Ordinal);
    }

    [Fact]
    public void Brokers_have_probes_on_the_silos_health_endpoints_a_volume_per_pod_anti_affinity_and_graceful_termination()
    {
        var statefulSet = Of("StatefulSet").Single();
        var pod = Map(statefulSet, "spec", "template", "spec");
        var broker = Sequence(pod, "containers").Cast<YamlMappingNode>().Single();
        Assert.Equal("/health/ready", Text(broker, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", Text(broker, "livenessProbe", "httpGet", "path"));
        Assert.Equal("http", Text(broker, "readinessProbe", "httpGet", "port"));

        var claim = Sequence(statefulSet, "spec", "volumeClaimTemplates").Cast<YamlMappingNode>().Single();
        var mount = Sequence(broker, "volumeMounts").Cast<YamlMappingNode>().Single(m => Text(m, "name") == Text(claim, "metadata", "name"));
        Assert.Equal(Text(Map(Of("ConfigMap").Single(), "data"), "OrleansLog__DataDirectory"), Text(mount, "mountPath"));

        var antiAffinity = Sequence(pod, "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution").Cast<YamlMappingNode>().Single();
        Assert.Equal("kubernetes.io/hostname", Text(antiAffinity, "topologyKey"));
        Assert.True(int.Parse(Text(pod, "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture) >= 30);
        Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));

        // POD_NAME gives the broker id (the ordinal); the Kubernetes hosting needs the rest.
        var variables = Sequence(broker, "env").Cast<YamlMappingNode>().Select(v => Text(v, "name")).ToHashSet();
        Assert.Superset(new HashSet<string> { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID", "OrleansLog__Cluster__ConnectionString" }, variables);
    }

    [Fact]
    public void The_silo_image_builds_the_real_projects_and_runs_as_a_non_root_user()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepoPaths.Root, "deploy", "docker", "silo.Dockerfile"));
        var published = dockerfile.SelectMany(l => l.Split(' ')).Where(w => w.EndsWith(".csproj", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, published.Count);
        Assert.All(published, project => Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project)), $"{project} does not exist"));
        Assert.Contains(dockerfile, l => l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal));
        Assert.Contains(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.Contains("root", StringComparison.Ordinal));
        var job = Of("Job").Single();
        var command = Sequence(Sequence(Map(job, "spec", "template", "spec"), "containers").Cast<YamlMappingNode>().Single(), "command").Select(n => ((YamlScalarNode)n).Value!).ToArray();
        Assert.Equal(["dotnet", "/app/cli/orleanslog.dll", "db", "migrate"], command);
    }

    private static List<(string, YamlMappingNode)> Load()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml"))
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            documents.AddRange(stream.Documents.Select(d => (Path.GetFileName(file), (YamlMappingNode)d.RootNode)));
        }

        return documents;
    }

    private static YamlMappingNode Root(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<YamlMappingNode> Of(string kind) => Documents.Where(d => Text(d.Node, "kind") == kind).Select(d => d.Node);

    private static IEnumerable<YamlMappingNode> PodSpecs() =>
        Of("StatefulSet").Concat(Of("Deployment")).Concat(Of("Job")).Select(w => Map(w, "spec", "template", "spec"));

    private static YamlNode? Find(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    private static YamlMappingNode Map(YamlNode node, params string[] path) =>
        Find(node, path) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"no mapping at {string.Join('.', path)}");

    private static string Text(YamlNode node, params string[] path) =>
        (Find(node, path) as YamlScalarNode)?.Value ?? throw new Xunit.Sdk.XunitException($"no value at {string.Join('.', path)}");

    private static YamlSequenceNode Sequence(YamlNode node, params string[] path) =>
        Find(node, path) as YamlSequenceNode ?? throw new Xunit.Sdk.XunitException($"no list at {string.Join('.', path)}");

    private static IEnumerable<YamlNode> Optional(YamlNode node, string key) => Find(node, key) as YamlSequenceNode ?? [];

    private static IEnumerable<KeyValuePair<string, string>> Labels(YamlMappingNode labels) =>
        labels.Children.Select(l => new KeyValuePair<string, string>(((YamlScalarNode)l.Key).Value!, ((YamlScalarNode)l.Value).Value!));
}
