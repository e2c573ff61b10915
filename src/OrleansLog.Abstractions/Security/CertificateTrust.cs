using System.Security.Cryptography.X509Certificates;

namespace OrleansLog.Security;

/// <summary>
/// Whether a peer's certificate chains to the given authorities (the system's when none are given), as the brokers and
/// clients check each other: revocation is not checked (as Kafka does not by default), names are not (peers are silos
/// and clients at addresses that change).
/// </summary>
public static class CertificateTrust
{
    public static bool ChainsTo(X509Certificate2 presented, X509Chain? presentedChain, X509Certificate2Collection? authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (authorities is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        return chain.Build(presented);
    }
}
