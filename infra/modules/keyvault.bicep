// Key Vault for the app's secrets, authorised by Azure RBAC (no access policies). The template writes no secret the
// operator chooses (the hotline secret, the SendGrid key, the admin key are set after deployment, see
// infra/README.md); it writes only the storage connection string, and only while the app needs one.
param name string
param location string
param tags object

@description('Purge protection cannot be turned off again once on; keep it on outside throwaway environments.')
param enablePurgeProtection bool = true

@description('The app\'s storage account.')
param storageAccountName string

@description('Store the storage account\'s connection string as the secret storageConnectionSecretName (only while the app needs one).')
param storeStorageConnection bool

@description('The storage endpoint suffix of the cloud, e.g. core.chinacloudapi.cn in Azure China.')
param storageSuffix string

param storageConnectionSecretName string = 'storage-connection'

@description('Log Analytics workspace that receives the vault\'s audit log (who read or changed which secret).')
param workspaceId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource storageConnection 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeStorageConnection) {
  parent: vault
  name: storageConnectionSecretName
  properties: {
    contentType: 'Azure Storage connection string'
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${storageSuffix}'
  }
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
  name: 'audit-to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output name string = vault.name
output id string = vault.id
